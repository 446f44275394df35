//! Training: the step session, learning-rate schedules and the loop over a dataset.

pub mod blocked;
pub mod cv;
pub mod fit;
pub mod schedule;
pub mod session;
pub mod step;
pub mod transfer;

#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;
