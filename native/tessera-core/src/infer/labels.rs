//! A class label per canvas pixel, run-length encoded per row: memory follows the number of
//! label changes, not the canvas area.

/// The runs of one row: (end column, exclusive; label), in column order.
type Runs = Vec<(u32, Option<u16>)>;

/// Labels of a canvas, row by row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LabelMap {
    width: usize,
    rows: Vec<Runs>,
}

impl LabelMap {
    /// An empty map of rows `width` pixels wide.
    pub fn new(width: usize) -> Self {
        Self { width, rows: Vec::new() }
    }

    /// Width and height (rows pushed so far).
    pub fn size(&self) -> (usize, usize) {
        (self.width, self.rows.len())
    }

    /// Appends a row of `width` labels (`None`: nothing predicted there).
    pub fn push_row(&mut self, labels: &[Option<u16>]) {
        let mut runs: Runs = Vec::new();
        for (x, &label) in labels.iter().enumerate().take(self.width) {
            match runs.last_mut() {
                Some((end, last)) if *last == label => *end = x as u32 + 1,
                _ => runs.push((x as u32 + 1, label)),
            }
        }
        self.rows.push(runs);
    }

    /// The label at (`x`, `y`); `None` outside the map or where nothing was predicted.
    pub fn get(&self, x: usize, y: usize) -> Option<u16> {
        let runs = self.rows.get(y)?;
        let index = runs.partition_point(|&(end, _)| end as usize <= x);
        runs.get(index).and_then(|&(_, label)| label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_read_back_as_pushed_in_few_runs() {
        let mut map = LabelMap::new(6);
        let row = [None, Some(1), Some(1), Some(1), Some(0), None];
        map.push_row(&row);
        map.push_row(&[Some(2); 6]);
        assert_eq!(map.size(), (6, 2));
        assert_eq!((0..6).map(|x| map.get(x, 0)).collect::<Vec<_>>(), row.to_vec());
        assert_eq!(map.rows[0].len(), 4);
        assert_eq!((map.get(5, 1), map.get(6, 1), map.get(0, 2)), (Some(2), None, None));
    }
}
