//! Reading a plan's tiles in parallel, with memory bounded whatever the slide's size.
//!
//! Reader threads (rayon's pool) read each tile at the plan's resolution, apply a caller's
//! `map` (e.g. PNG encoding, normalisation) and push the result into a bounded queue; the
//! calling thread takes results out of the queue and hands them to `consume` (e.g. write a file,
//! push to Java). At most a queue's worth of results plus one per reader exists at any time.

use rayon::prelude::*;

use super::{Tile, TilePlan};
use crate::job::Job;
use crate::slide::{read_region, RegionSource, RgbImage};
use crate::{Result, TesseraError};

/// Results waiting in the queue per reader thread.
const QUEUE_PER_THREAD: usize = 2;

/// Reads every tile of `plan` from `source` in parallel; `map(tile, pixels)` runs on the reader
/// threads, `consume(index, result)` on the calling thread, in completion order (the index is
/// the tile's position in the plan).
///
/// Stops at the first error (of a read, of `map` or of `consume`) and returns it; stops with
/// [`TesseraError::Cancelled`] when the job is cancelled. Reports progress to the job.
pub fn read_tiles<T, M, C>(source: &dyn RegionSource, plan: &TilePlan, job: &Job, map: M, mut consume: C) -> Result<()>
where
    T: Send,
    M: Fn(&Tile, RgbImage) -> Result<T> + Sync,
    C: FnMut(usize, T) -> Result<()>,
{
    let capacity = QUEUE_PER_THREAD * rayon::current_num_threads();
    let (sender, receiver) = crossbeam_channel::bounded::<(usize, T)>(capacity);
    let total = plan.tiles.len() as u64;
    let size = (plan.tile_size, plan.tile_size);
    std::thread::scope(|scope| {
        let readers = scope.spawn(|| {
            plan.tiles.par_iter().enumerate().try_for_each_with(sender, |sender, (index, tile)| {
                job.check()?;
                let pixels = read_region(source, (tile.x, tile.y, tile.w, tile.h), size)?;
                let result = map(tile, pixels)?;
                sender.send((index, result)).map_err(|_| TesseraError::Cancelled)
            })
        });
        let mut consumed = Ok(());
        let mut done = 0;
        for (index, result) in receiver.iter() {
            if let Err(error) = consume(index, result) {
                consumed = Err(error);
                break;
            }
            done += 1;
            job.progress(done, total, "reading tiles");
        }
        drop(receiver);
        let read = readers.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        // A consumer's error comes first: the readers then only saw the queue close.
        consumed?;
        read
    })
}

/// Reads the level-0 rectangles `tiles` (`x`, `y`, `width`, `height`) of `source`, each scaled
/// to `size × size`, into `out` as packed RGB tiles one after the other, in parallel.
///
/// Fails when `out` is too small for them all, or a read fails.
pub fn read_packed(source: &dyn RegionSource, tiles: &[(i64, i64, u64, u64)], size: u32, out: &mut [u8]) -> Result<()> {
    let tile_len = 3 * size as usize * size as usize;
    let needed = tiles.len().saturating_mul(tile_len);
    let available = out.len();
    let out = out.get_mut(..needed).ok_or_else(|| {
        TesseraError::invalid(format!("{available} bytes cannot hold {} tiles of {size}² RGB pixels", tiles.len()))
    })?;
    if tile_len == 0 {
        return Err(TesseraError::invalid("tiles of 0 px"));
    }
    out.par_chunks_exact_mut(tile_len).zip(tiles.par_iter()).try_for_each(|(chunk, &(x, y, width, height))| {
        let pixels = read_region(source, (x, y, width, height), (size, size))?;
        chunk.copy_from_slice(pixels.as_bytes());
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::{CancelToken, Silent};
    use crate::slide::BufferSource;

    fn plan(count: usize) -> TilePlan {
        let tiles = (0..count)
            .map(|i| Tile {
                x: (i % 8) as i64 * 4,
                y: (i / 8) as i64 * 4,
                w: 4,
                h: 4,
                label: "A".into(),
                coverage: 1.0,
                polygon_id: "p".into(),
                slide: "s".into(),
            })
            .collect();
        TilePlan { slide: "s".into(), downsample: 2.0, tile_size: 2, tiles }
    }

    /// A 32×32 slide held as a 16×16 buffer whose pixel (x, y) is (x, y, 0).
    fn source() -> BufferSource {
        let data = (0..16u8).flat_map(|y| (0..16u8).flat_map(move |x| [x, y, 0])).collect();
        BufferSource::new("grid", data, (16, 16), (32, 32), None).unwrap()
    }

    #[test]
    fn packed_tiles_hold_each_tiles_pixels_in_order() {
        let rectangles: Vec<_> = plan(16).tiles.iter().map(|t| (t.x, t.y, t.w, t.h)).collect();
        let mut out = vec![0; 16 * 2 * 2 * 3];
        read_packed(&source(), &rectangles, 2, &mut out).unwrap();
        for (index, tile) in out.chunks_exact(12).enumerate() {
            assert_eq!(&tile[..3], &[(index % 8) as u8 * 2, (index / 8) as u8 * 2, 0], "tile {index}");
        }
        let mut small = vec![0; 11];
        assert!(read_packed(&source(), &rectangles[..1], 2, &mut small)
            .unwrap_err()
            .to_string()
            .contains("cannot hold"));
    }

    #[test]
    fn every_tile_arrives_once_with_its_pixels() {
        let job = Job::new(CancelToken::new(), &Silent);
        let mut seen = vec![None; 64];
        read_tiles(
            &source(),
            &plan(64),
            &job,
            |tile, pixels| Ok((tile.x, pixels.pixel(0, 0))),
            |index, value| {
                seen[index] = Some(value);
                Ok(())
            },
        )
        .unwrap();
        for (index, value) in seen.iter().enumerate() {
            let (x, pixel) = value.unwrap();
            assert_eq!(x, (index % 8) as i64 * 4);
            assert_eq!(pixel, [(index % 8) as u8 * 2, (index / 8) as u8 * 2, 0]);
        }
    }

    #[test]
    fn errors_and_cancellation_stop_the_job() {
        let token = CancelToken::new();
        let job = Job::new(token.clone(), &Silent);
        let failing = read_tiles(
            &source(),
            &plan(64),
            &job,
            |tile, _| {
                if tile.x == 12 {
                    Err(TesseraError::invalid("bad tile"))
                } else {
                    Ok(())
                }
            },
            |_, ()| Ok(()),
        );
        assert!(failing.unwrap_err().to_string().contains("bad tile"));
        let mut count = 0;
        let stopped = read_tiles(
            &source(),
            &plan(64),
            &job,
            |_, _| Ok(()),
            |_, ()| {
                count += 1;
                if count == 3 {
                    Err(TesseraError::invalid("disk full"))
                } else {
                    Ok(())
                }
            },
        );
        assert!(stopped.unwrap_err().to_string().contains("disk full"));
        token.cancel();
        let cancelled = read_tiles(&source(), &plan(64), &job, |_, _| Ok(()), |_, ()| Ok(()));
        assert!(matches!(cancelled, Err(TesseraError::Cancelled)));
    }
}
