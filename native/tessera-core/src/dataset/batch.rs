//! Batches of tiles as network input.

use super::augment::Augment;
use super::TileStore;
use crate::rng::Rng;

/// Maps a u8 pixel value to the network's input range `[-1, 1]` (`v / 127.5 − 1`). The
/// inference graph expects the same.
pub fn normalise(v: u8) -> f32 {
    v as f32 / 127.5 - 1.0
}

/// Tiles `indices` as an NCHW f32 batch with their labels; each tile transformed by a random
/// draw of `augment` from `rng` when given.
pub fn batch(store: &TileStore, indices: &[usize], mut augment: Option<(&Augment, &mut Rng)>) -> (Vec<f32>, Vec<i64>) {
    let side = store.side();
    let plane = side * side;
    let mut x = vec![0.0; indices.len() * 3 * plane];
    let mut scratch = vec![0u8; store.tile_len()];
    for (n, &i) in indices.iter().enumerate() {
        match augment.as_mut() {
            Some((a, rng)) => a.apply(store.tile(i), side, rng, &mut scratch),
            None => scratch.copy_from_slice(store.tile(i)),
        }
        let sample = &mut x[n * 3 * plane..(n + 1) * 3 * plane];
        for (p, rgb) in scratch.chunks_exact(3).enumerate() {
            for c in 0..3 {
                sample[c * plane + p] = normalise(rgb[c]);
            }
        }
    }
    let labels = indices.iter().map(|&i| store.labels()[i] as i64).collect();
    (x, labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_are_planar_and_normalised() {
        let mut store = TileStore::new(2, vec!["a".into(), "b".into()]).unwrap();
        store.push(&[0, 255, 51, 0, 255, 51, 0, 255, 51, 0, 255, 51], 1, 0).unwrap();
        store.push(&[255; 12], 0, 1).unwrap();
        let (x, labels) = batch(&store, &[1, 0], None);
        assert_eq!(labels, vec![0, 1]);
        assert_eq!(&x[..12], &[1.0; 12]);
        assert_eq!(&x[12..16], &[-1.0; 4]);
        assert_eq!(&x[16..20], &[1.0; 4]);
        assert!(x[20..24].iter().all(|v| (v + 0.6).abs() < 1e-6));
    }

    #[test]
    fn augmented_batches_repeat_with_the_seed() {
        let mut store = TileStore::new(4, vec!["a".into()]).unwrap();
        store.push(&(0..48).map(|v| v as u8).collect::<Vec<_>>(), 0, 0).unwrap();
        let draw = |seed| batch(&store, &[0, 0, 0, 0], Some((&Augment::default(), &mut Rng::new(seed)))).0;
        assert_eq!(draw(5), draw(5));
        assert_ne!(draw(5), draw(6));
    }
}
