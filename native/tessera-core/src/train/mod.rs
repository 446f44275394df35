//! Training: the step session and the loop over a dataset.

pub mod session;
pub mod step;

#[cfg(test)]
pub(crate) mod testing;
