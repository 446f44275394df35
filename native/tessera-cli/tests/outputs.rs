//! An output path that names one of the command's own inputs is refused before any work, with
//! exit code 3, and the input is left as it was.

use std::path::{Path, PathBuf};
use std::process::Command;

fn demo(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/demo").join(name)
}

#[test]
fn no_command_writes_over_its_inputs() {
    let dir = std::env::temp_dir().join(format!("tessera-outputs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (slide, annotations) = (dir.join("slide.svs"), dir.join("slide.geojson"));
    std::fs::copy(demo("CMU-1-Small-Region.svs"), &slide).unwrap();
    std::fs::copy(demo("CMU-1-Small-Region.annotations.geojson"), &annotations).unwrap();
    let before = (std::fs::read(&slide).unwrap(), std::fs::read(&annotations).unwrap());
    let (s, a) = (slide.to_str().unwrap(), annotations.to_str().unwrap());
    let same_slide = format!("{}/../{}/slide.svs", dir.display(), dir.file_name().unwrap().to_str().unwrap());
    let cases: [(&[&str], &str); 5] = [
        (&["tiles", "--slide", s, "--annotations", a, "--mpp", "1", "--out", s], "--out"),
        (&["tiles", "--slide", s, "--annotations", a, "--mpp", "1", "--out", &same_slide], "--out"),
        (&["train", "--slide", s, "--annotations", a, "--mpp", "1", "--model", a], "--model"),
        (&["apply", "--model", a, "--slide", s, "--out", s], "--out"),
        (&["eval", "--model", a, "--slide", s, "--annotations", a, "--report", a], "--report"),
    ];
    for (args, flag) in cases {
        let output = Command::new(env!("CARGO_BIN_EXE_tessera")).args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(3), "{args:?}: {stderr}");
        assert!(stderr.starts_with(&format!("error: invalid input: {flag} ")), "{stderr}");
        assert!(stderr.contains("writing there would destroy it"), "{stderr}");
    }
    assert_eq!((std::fs::read(&slide).unwrap(), std::fs::read(&annotations).unwrap()), before, "inputs untouched");
    std::fs::remove_dir_all(&dir).unwrap();
}
