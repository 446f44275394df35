//! A small cache of decoded source tiles, so that a JPEG tile of the file is decoded once for all
//! the model tiles cut from it (a 256-px source tile holds sixteen 64-px ones, read by
//! neighbouring requests) instead of once per request.
//!
//! It holds at most a fixed number of bytes and forgets the oldest tiles first: requests come in
//! plan order (rows of tiles), so what is reused is what was decoded last. Threads look up and
//! insert under one lock but decode outside it; two threads may then decode the same tile at once,
//! which costs time, never correctness.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// Decoded tiles by (page, tile index), the oldest forgotten first beyond the capacity.
#[derive(Debug)]
pub(crate) struct DecodedTiles {
    capacity: usize,
    held: Mutex<Held>,
}

#[derive(Debug, Default)]
struct Held {
    tiles: HashMap<(usize, usize), Arc<Vec<u8>>>,
    order: VecDeque<(usize, usize)>,
    bytes: usize,
}

impl DecodedTiles {
    /// An empty cache holding at most `capacity` bytes of pixels.
    pub(crate) fn new(capacity: usize) -> Self {
        Self { capacity, held: Mutex::new(Held::default()) }
    }

    /// The decoded tile `key`, from the cache or from `decode` (then kept); an error of `decode`
    /// is returned and nothing kept.
    pub(crate) fn get_or_decode<E>(
        &self,
        key: (usize, usize),
        decode: impl FnOnce() -> Result<Vec<u8>, E>,
    ) -> Result<Arc<Vec<u8>>, E> {
        if let Some(tile) = self.held.lock().ok().and_then(|held| held.tiles.get(&key).cloned()) {
            return Ok(tile);
        }
        let tile = Arc::new(decode()?);
        if let Ok(mut held) = self.held.lock() {
            if tile.len() <= self.capacity && !held.tiles.contains_key(&key) {
                held.bytes += tile.len();
                held.tiles.insert(key, Arc::clone(&tile));
                held.order.push_back(key);
                while held.bytes > self.capacity {
                    let Some(oldest) = held.order.pop_front() else { break };
                    if let Some(gone) = held.tiles.remove(&oldest) {
                        held.bytes -= gone.len();
                    }
                }
            }
        }
        Ok(tile)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn a_tile_is_decoded_once_while_held_and_the_oldest_go_first() {
        let cache = DecodedTiles::new(300);
        let decoded = Cell::new(0);
        let get = |key: (usize, usize)| {
            cache
                .get_or_decode(key, || {
                    decoded.set(decoded.get() + 1);
                    Ok::<_, ()>(vec![key.1 as u8; 100])
                })
                .unwrap()
        };
        for _ in 0..5 {
            assert_eq!(get((0, 1))[0], 1);
        }
        assert_eq!(decoded.get(), 1, "decoded once, then held");
        get((0, 2));
        get((1, 2));
        assert_eq!(get((0, 2))[0], 2);
        assert_eq!(decoded.get(), 3, "page and tile together are the key");
        get((0, 3));
        assert_eq!(decoded.get(), 4);
        get((0, 1));
        assert_eq!(decoded.get(), 5, "beyond 300 bytes the oldest tile was forgotten");
        get((0, 3));
        assert_eq!(decoded.get(), 5, "the newest are still held");
    }

    #[test]
    fn a_failed_decode_is_returned_and_not_kept() {
        let cache = DecodedTiles::new(1000);
        assert_eq!(cache.get_or_decode((0, 0), || Err::<Vec<u8>, _>("corrupt")).unwrap_err(), "corrupt");
        assert_eq!(*cache.get_or_decode((0, 0), || Ok::<_, &str>(vec![7])).unwrap(), vec![7]);
    }
}
