//! Names from user data — class names, image names — made safe as one file or folder name on
//! every desktop system, so that no annotation can make Tessera write outside the folder it was
//! given (a class named `..`, `/etc` or the empty string) or a file Windows cannot open.

/// Windows device names, which no file may be called whatever its extension.
const RESERVED: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "LPT1", "LPT2",
    "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// The longest name kept, in characters (file systems allow 255 bytes; a tile's position and
/// extension are added after it).
const MAX_CHARS: usize = 120;

/// `name` as one safe file name: letters, digits, `-`, `_`, `.` and spaces kept, anything else
/// (separators, control characters) `_`; no trailing dot or space (Windows drops them), no
/// leading dot (`.` and `..` are folders, and a leading dot hides a file), never empty, never a
/// Windows device name, at most 120 characters.
pub fn safe_file_name(name: &str) -> String {
    let mapped: String = name
        .chars()
        .take(MAX_CHARS)
        .map(|c| if c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' ') { c } else { '_' })
        .collect();
    let mut safe = mapped.trim_end_matches(['.', ' ']).to_owned();
    if safe.is_empty() || safe.starts_with('.') {
        safe.insert(0, '_');
    }
    let stem = safe.split('.').next().unwrap_or_default().trim_end();
    if RESERVED.iter().any(|reserved| reserved.eq_ignore_ascii_case(stem)) {
        safe.insert(stem.len(), '_');
    }
    safe
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_never_leave_their_folder_nor_trouble_windows() {
        for (name, safe) in [
            ("Tumor", "Tumor"),
            ("Tumour grade 2", "Tumour grade 2"),
            ("", "_"),
            (".", "_"),
            ("..", "_"),
            ("../etc", "_.._etc"),
            ("/", "_"),
            ("a/b\\c", "a_b_c"),
            (".hidden", "_.hidden"),
            ("trailing. ", "trailing"),
            ("con", "con_"),
            ("LPT1.tif", "LPT1_.tif"),
            ("Console", "Console"),
            ("Zellkern\u{e9}", "Zellkern\u{e9}"),
            ("tab\there", "tab_here"),
        ] {
            assert_eq!(safe_file_name(name), safe, "{name:?}");
        }
        assert_eq!(safe_file_name(&"x".repeat(500)).chars().count(), MAX_CHARS);
    }
}
