//! Batches of tiles as network input.

use super::augment::{dihedral, Augment};
use super::{TileStore, UNLABELLED};
use crate::rng::Rng;

/// Maps a u8 pixel value to the network's input range `[-1, 1]` (`v / 127.5 − 1`). The
/// inference graph expects the same.
pub fn normalise(v: u8) -> f32 {
    v as f32 / 127.5 - 1.0
}

/// Tiles `indices` as an NCHW f32 batch with their labels — one per tile, or for patches with
/// label masks one per pixel (−1 where unlabelled) — each tile transformed by a random draw of
/// `augment` from `rng` when given, its mask flipped and rotated with it.
pub fn batch(store: &TileStore, indices: &[usize], mut augment: Option<(&Augment, &mut Rng)>) -> (Vec<f32>, Vec<i64>) {
    let side = store.side();
    let plane = side * side;
    let mut x = vec![0.0; indices.len() * 3 * plane];
    let mut scratch = vec![0u8; store.tile_len()];
    let mut moved = vec![0u8; plane];
    let mut pixel_labels = Vec::with_capacity(if store.has_masks() { indices.len() * plane } else { 0 });
    for (n, &i) in indices.iter().enumerate() {
        let t = match augment.as_mut() {
            Some((a, rng)) => a.apply(store.tile(i), side, rng, &mut scratch),
            None => {
                scratch.copy_from_slice(store.tile(i));
                0
            }
        };
        if let Some(mask) = store.mask(i) {
            dihedral(mask, side, 1, t, &mut moved);
            pixel_labels.extend(moved.iter().map(|&m| if m == UNLABELLED { -1 } else { m as i64 }));
        }
        let sample = &mut x[n * 3 * plane..(n + 1) * 3 * plane];
        for (p, rgb) in scratch.chunks_exact(3).enumerate() {
            for c in 0..3 {
                sample[c * plane + p] = normalise(rgb[c]);
            }
        }
    }
    if store.has_masks() {
        return (x, pixel_labels);
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

    /// A patch whose red channel equals its mask: after any flip or rotation the labels still
    /// sit on the pixels they labelled.
    #[test]
    fn masks_move_with_their_pixels_and_unlabelled_pixels_are_minus_one() {
        let mut store = TileStore::new(4, vec!["a".into(), "b".into()]).unwrap();
        let mask: Vec<u8> = (0..16).map(|i| [0, 1, UNLABELLED][i % 3]).collect();
        let rgb: Vec<u8> = mask.iter().flat_map(|&m| [m, 0, 0]).collect();
        store.push_masked(&rgb, &mask, 0).unwrap();
        assert!(store.push(&rgb, 0, 1).is_err(), "a tile without a mask among patches");
        let geometric = Augment { flips: true, rotations: true, ..Augment::none() };
        let mut rng = Rng::new(4);
        for _ in 0..8 {
            let (x, labels) = batch(&store, &[0], Some((&geometric, &mut rng)));
            assert_eq!(labels.len(), 16);
            for (p, &label) in labels.iter().enumerate() {
                let red = ((x[p] + 1.0) * 127.5).round() as i64;
                assert_eq!(if red == 255 { -1 } else { red }, label, "pixel {p}");
            }
        }
        assert_eq!(store.pixel_counts(&[0]), vec![6, 5]);
        assert_eq!(store.labels(), &[0]);
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
