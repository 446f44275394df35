//! Mutations every format shares: bytes flipped, cut, inserted, deleted, duplicated or spliced
//! from another seed, and boundary integers written into a format's header fields.

use crate::rng::Rng;

/// An integer field of a binary header, found in a seed: its position, width and byte order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Field {
    /// The offset of its first byte.
    pub(super) at: usize,
    /// 1, 2, 4 or 8 bytes.
    pub(super) width: usize,
    /// Little-endian (else big-endian).
    pub(super) little: bool,
}

/// A seed of a binary format and its header fields (counts, offsets, sizes, types).
#[derive(Clone, Debug)]
pub(super) struct Seed {
    /// The seed's bytes.
    pub(super) bytes: Vec<u8>,
    /// The fields worth overwriting with boundary values.
    pub(super) fields: Vec<Field>,
}

/// Integers that break readers: zero, one, sign and width boundaries, all ones.
const BOUNDARIES: [u64; 20] = [
    0,
    1,
    2,
    3,
    7,
    8,
    0x7f,
    0x80,
    0xff,
    0x100,
    0x7fff,
    0x8000,
    0xffff,
    0x1_0000,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    0x1_0000_0000,
    i64::MAX as u64,
    u64::MAX,
];

/// A random element of `items` (which is not empty).
pub(super) fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> &'a T {
    &items[rng.below(items.len())]
}

/// Writes `value` into `field` of `bytes` (its low bytes, in the field's byte order); a field
/// past the end (of a cut input) is left alone.
pub(super) fn write_field(bytes: &mut [u8], field: Field, value: u64) {
    let Some(target) = bytes.get_mut(field.at..field.at + field.width) else {
        return;
    };
    let little = value.to_le_bytes();
    for (i, byte) in target.iter_mut().enumerate() {
        *byte = if field.little { little[i] } else { little[field.width - 1 - i] };
    }
}

/// A value for a field of an input of `length` bytes: a boundary, one of the format's own
/// `interesting` values, a size or offset near the input's length, or random bits.
fn boundary(rng: &mut Rng, length: usize, interesting: &[u64]) -> u64 {
    match rng.below(8) {
        0..=3 => *pick(rng, &BOUNDARIES),
        4 | 5 if !interesting.is_empty() => *pick(rng, interesting),
        6 => (length as u64).wrapping_add(rng.below(5) as u64).wrapping_sub(2),
        _ => rng.next_u64() >> (rng.below(8) * 8),
    }
}

/// One to four random mutations of `seed`: each a boundary value in one of its fields (with the
/// format's `interesting` values), a cut at a field or anywhere, or a byte-level change; `other`
/// is another seed to splice from.
pub(super) fn mutate(rng: &mut Rng, seed: &Seed, other: &[u8], interesting: &[u64]) -> Vec<u8> {
    let mut bytes = seed.bytes.clone();
    for _ in 0..=rng.below(4) {
        match rng.below(4) {
            0 | 1 if !seed.fields.is_empty() => {
                let field = *pick(rng, &seed.fields);
                let value = boundary(rng, bytes.len(), interesting);
                write_field(&mut bytes, field, value);
            }
            2 if !seed.fields.is_empty() => {
                let field = pick(rng, &seed.fields);
                bytes.truncate(field.at + rng.below(field.width + 1));
            }
            _ => bytes = mutate_bytes(rng, bytes, other),
        }
    }
    bytes
}

/// One byte-level mutation of `bytes`: flipped bits, a cut, inserted or deleted bytes, a
/// duplicated chunk, a chunk of `other` spliced in, or a boundary byte.
pub(super) fn mutate_bytes(rng: &mut Rng, mut bytes: Vec<u8>, other: &[u8]) -> Vec<u8> {
    let length = bytes.len();
    let position = rng.below(length + 1);
    let chunk = 1 + rng.below(length.min(64) + 1);
    match rng.below(7) {
        0 if length > 0 => bytes[position.min(length - 1)] ^= 1 << rng.below(8),
        1 => bytes.truncate(position),
        2 => {
            let inserted: Vec<u8> = (0..chunk).map(|_| rng.next_u64() as u8).collect();
            bytes.splice(position..position, inserted);
        }
        3 => {
            bytes.drain(position..(position + chunk).min(length));
        }
        4 if length > 0 => {
            let from = rng.below(length);
            let copied = bytes[from..(from + chunk).min(length)].to_vec();
            bytes.splice(position..position, copied);
        }
        5 if !other.is_empty() => {
            let from = rng.below(other.len());
            let spliced = &other[from..(from + chunk).min(other.len())];
            let end = (position + spliced.len()).min(length);
            bytes.splice(position..end, spliced.iter().copied());
        }
        _ if length > 0 => bytes[position.min(length - 1)] = *pick(rng, &[0, 1, 0x7f, 0x80, 0xfe, 0xff]),
        _ => bytes.push(rng.next_u64() as u8),
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_written_in_their_byte_order_and_cut_inputs_are_left_alone() {
        let mut bytes = vec![0; 6];
        write_field(&mut bytes, Field { at: 0, width: 2, little: true }, 0x1234);
        write_field(&mut bytes, Field { at: 2, width: 4, little: false }, u64::MAX - 1);
        assert_eq!(bytes, [0x34, 0x12, 0xff, 0xff, 0xff, 0xfe]);
        write_field(&mut bytes, Field { at: 4, width: 4, little: false }, 0);
        assert_eq!(bytes[4..], [0xff, 0xfe]);
    }

    #[test]
    fn mutations_are_deterministic_and_change_the_seed() {
        let seed = Seed { bytes: (0..64).collect(), fields: vec![Field { at: 4, width: 4, little: true }] };
        let run = |stream| mutate(&mut Rng::derived(7, stream), &seed, b"other", &[42]);
        assert_eq!(run(1), run(1));
        assert!((0..100).filter(|&stream| run(stream) != seed.bytes).count() > 90);
    }
}
