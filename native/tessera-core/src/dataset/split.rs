//! Splits that keep each group (slide or source polygon) on one side.
//!
//! Groups are dealt to folds greedily, largest first (ties in a seeded random order), each to
//! the fold holding the fewest tiles of the group's majority class, then the fewest tiles: folds
//! come out balanced per class as far as whole groups allow.

use std::collections::BTreeMap;

use super::TileStore;
use crate::rng::Rng;
use crate::{Result, TesseraError};

/// Tile indices of a training set and a validation set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    /// Training tiles.
    pub train: Vec<usize>,
    /// Validation tiles.
    pub validation: Vec<usize>,
}

/// One group: its tiles, its tiles per class and its majority class.
struct Group {
    tiles: Vec<usize>,
    counts: Vec<usize>,
    class: usize,
}

fn groups(store: &TileStore) -> Vec<Group> {
    let mut by_id: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for (i, &g) in store.groups().iter().enumerate() {
        by_id.entry(g).or_default().push(i);
    }
    by_id
        .into_values()
        .map(|tiles| {
            let counts = store.class_counts(&tiles);
            let class = (0..counts.len()).max_by_key(|&c| (counts[c], usize::MAX - c)).unwrap_or(0);
            Group { tiles, counts, class }
        })
        .collect()
}

/// `k` splits of grouped cross-validation: each group is in exactly one validation set.
///
/// Fails when a class present in the store appears in fewer than `k` groups: some fold would
/// then validate without it. (Groups may hold several classes, as slides do.)
pub fn grouped_folds(store: &TileStore, k: usize, seed: u64) -> Result<Vec<Split>> {
    if k < 2 {
        return Err(TesseraError::invalid(format!("cross-validation needs at least 2 folds, not {k}")));
    }
    let mut groups = groups(store);
    let classes = store.classes().len();
    for class in 0..classes {
        let n = groups.iter().filter(|g| g.counts.get(class).is_some_and(|&c| c > 0)).count();
        let present = store.labels().contains(&class);
        if present && n < k {
            return Err(TesseraError::invalid(format!(
                "class {} appears in {n} groups (slides or polygons), too few for {k} folds",
                store.classes()[class]
            )));
        }
    }
    Rng::new(seed).shuffle(&mut groups);
    groups.sort_by_key(|g| std::cmp::Reverse(g.tiles.len()));
    let mut folds: Vec<Vec<usize>> = vec![Vec::new(); k];
    let mut per_class = vec![vec![0usize; classes]; k];
    for group in &groups {
        let fold = (0..k).min_by_key(|&f| (per_class[f][group.class], folds[f].len(), f)).unwrap_or(0);
        per_class[fold][group.class] += group.tiles.len();
        folds[fold].extend(&group.tiles);
    }
    Ok((0..k)
        .map(|f| {
            let mut validation = folds[f].clone();
            validation.sort_unstable();
            let mut train: Vec<usize> = (0..k).filter(|&o| o != f).flat_map(|o| folds[o].iter().copied()).collect();
            train.sort_unstable();
            Split { train, validation }
        })
        .collect())
}

/// One grouped split holding out about `validation` (in `(0, 0.5]`) of the tiles: the first
/// fold of `round(1 / validation)`-fold cross-validation.
pub fn grouped_split(store: &TileStore, validation: f64, seed: u64) -> Result<Split> {
    if !(validation > 0.0 && validation <= 0.5) {
        return Err(TesseraError::invalid(format!("validation fraction {validation} is not in (0, 0.5]")));
    }
    let k = (1.0 / validation).round() as usize;
    let mut folds = grouped_folds(store, k, seed)?;
    Ok(folds.swap_remove(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `groups` groups per class of 2 classes, group `g` holding `1 + g % 3` tiles.
    fn store(groups: u64) -> TileStore {
        let mut store = TileStore::new(1, vec!["a".into(), "b".into()]).unwrap();
        for class in 0..2 {
            for g in 0..groups {
                for _ in 0..1 + g % 3 {
                    store.push(&[0, 0, 0], class, class as u64 * 100 + g).unwrap();
                }
            }
        }
        store
    }

    #[test]
    fn folds_partition_the_tiles_and_never_split_a_group() {
        let store = store(8);
        let folds = grouped_folds(&store, 4, 1).unwrap();
        let mut seen: Vec<usize> = folds.iter().flat_map(|f| f.validation.clone()).collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..store.len()).collect::<Vec<_>>());
        for fold in &folds {
            assert_eq!(fold.train.len() + fold.validation.len(), store.len());
            let val_groups: Vec<u64> = fold.validation.iter().map(|&i| store.groups()[i]).collect();
            assert!(fold.train.iter().all(|&i| !val_groups.contains(&store.groups()[i])));
            let counts = store.class_counts(&fold.validation);
            assert!(counts.iter().all(|&c| c >= 3), "each class in each fold: {counts:?}");
        }
        assert_eq!(folds, grouped_folds(&store, 4, 1).unwrap(), "same seed, same folds");
    }

    #[test]
    fn too_few_groups_for_the_folds_is_refused() {
        let err = grouped_folds(&store(3), 4, 1).unwrap_err();
        assert!(err.to_string().contains("class a appears in 3 groups"), "{err}");
    }

    #[test]
    fn slides_holding_every_class_can_be_folded() {
        let mut store = TileStore::new(1, vec!["a".into(), "b".into()]).unwrap();
        for slide in 0..3 {
            for class in 0..2 {
                store.push(&[0, 0, 0], class, slide).unwrap();
            }
        }
        let folds = grouped_folds(&store, 3, 1).unwrap();
        assert!(folds.iter().all(|f| store.class_counts(&f.validation) == vec![1, 1]));
    }

    #[test]
    fn a_split_holds_out_about_the_fraction() {
        let store = store(10);
        let split = grouped_split(&store, 0.2, 3).unwrap();
        let share = split.validation.len() as f64 / store.len() as f64;
        assert!((0.15..=0.25).contains(&share), "{share}");
        assert!(grouped_split(&store, 0.9, 3).is_err());
    }
}
