//! Reading overlapped with inference: the model never waits for pixels.
//!
//! Reader threads (tiling's parallel reader) read and preprocess tiles; this thread packs them
//! into batches and hands each full batch to an inference thread through a queue of
//! [`BATCHES_AHEAD`] batches, so the next batches are read while the model runs on the current
//! one. Memory is bounded by the queues, whatever the slide's size.

use crossbeam_channel::bounded;

use super::Predictor;
use crate::job::Job;
use crate::runtime::Tensor;
use crate::slide::RegionSource;
use crate::tiling::read::read_tiles;
use crate::tiling::TilePlan;
use crate::{Result, TesseraError};

/// Full batches waiting for the model.
const BATCHES_AHEAD: usize = 2;

/// Runs `predictor` over every tile of `plan` in batches of `batch` tiles and hands each
/// batch's output to `on_output(tile indices in the plan, output)` on the inference thread.
///
/// Stops at the first error, or with [`TesseraError::Cancelled`] when the job is cancelled.
pub fn predict<F>(
    predictor: &Predictor,
    source: &dyn RegionSource,
    plan: &TilePlan,
    batch: usize,
    job: &Job,
    on_output: F,
) -> Result<()>
where
    F: FnMut(&[usize], &Tensor) -> Result<()> + Send,
{
    if batch == 0 {
        return Err(TesseraError::invalid("the batch size must be at least 1"));
    }
    let tile_len = predictor.tile_len();
    let (sender, receiver) = bounded::<(Vec<usize>, Vec<f32>)>(BATCHES_AHEAD);
    std::thread::scope(|scope| {
        let inference = scope.spawn(move || {
            let mut on_output = on_output;
            for (tiles, values) in receiver {
                job.check()?;
                let output = predictor.infer(&values, tiles.len())?;
                on_output(&tiles, &output)?;
            }
            Ok::<(), TesseraError>(())
        });
        let mut tiles = Vec::with_capacity(batch);
        let mut values = Vec::with_capacity(batch * tile_len);
        let send = |tiles: &mut Vec<usize>, values: &mut Vec<f32>| {
            let full = (
                std::mem::replace(tiles, Vec::with_capacity(batch)),
                std::mem::replace(values, Vec::with_capacity(batch * tile_len)),
            );
            // The inference thread only hangs up after an error, which it returns itself.
            sender.send(full).map_err(|_| TesseraError::Cancelled)
        };
        let read = read_tiles(
            source,
            plan,
            job,
            |_, pixels| predictor.preprocess(&pixels),
            |index, tile| {
                tiles.push(index);
                values.extend_from_slice(&tile);
                if tiles.len() == batch {
                    send(&mut tiles, &mut values)?;
                }
                Ok(())
            },
        )
        .and_then(|()| if tiles.is_empty() { Ok(()) } else { send(&mut tiles, &mut values) });
        drop(sender);
        let inferred = inference.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        inferred.and(read)
    })
}
