//! The top-scoring places, spread out: N tiles to review should show N different problems, not
//! one problem N times.

/// A place that may be picked: a tile of an image, its centre and side (level-0 pixels), and how
/// much it deserves a look.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Candidate {
    /// Which image it lies in (places in different images are never close).
    pub image: usize,
    /// Centre, x.
    pub x: f64,
    /// Centre, y.
    pub y: f64,
    /// Tile side.
    pub side: f64,
    /// Higher is picked first.
    pub score: f64,
}

/// Up to `count` candidates (their indices, best first): in score order, each kept only if it
/// lies at least a spacing away from those kept in its image. The spacing starts at half the side
/// of the square each pick would have if the picks shared the candidates' area evenly, and halves
/// whenever a pass over the candidates leaves picks to be made, down to nothing (then the best
/// remaining are taken as they come).
pub fn spread_top(candidates: &[Candidate], count: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..candidates.len()).filter(|&i| candidates[i].score.is_finite()).collect();
    order.sort_by(|&a, &b| candidates[b].score.total_cmp(&candidates[a].score).then(a.cmp(&b)));
    let count = count.min(order.len());
    let area: f64 = order.iter().map(|&i| candidates[i].side * candidates[i].side).sum();
    let mut spacing = 0.5 * (area / count.max(1) as f64).sqrt();
    let mut picked: Vec<usize> = Vec::with_capacity(count);
    let mut taken = vec![false; candidates.len()];
    while picked.len() < count {
        let tiny = candidates[order[0]].side * 1e-3;
        for &i in &order {
            if picked.len() == count {
                break;
            }
            let c = &candidates[i];
            let far = |&j: &usize| {
                let p = &candidates[j];
                p.image != c.image || (p.x - c.x).hypot(p.y - c.y) >= spacing
            };
            if !taken[i] && picked.iter().all(far) {
                taken[i] = true;
                picked.push(i);
            }
        }
        spacing = if spacing < tiny { 0.0 } else { spacing / 2.0 };
    }
    picked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tile(image: usize, x: f64, y: f64, score: f64) -> Candidate {
        Candidate { image, x, y, side: 10.0, score }
    }

    #[test]
    fn picks_spread_over_the_image_rather_than_crowd_round_the_best() {
        // A 10 × 10 grid of tiles; the best scores crowd in one corner, a lesser one lies far off.
        let mut tiles = Vec::new();
        for row in 0..10 {
            for col in 0..10 {
                let (x, y) = (5.0 + 10.0 * col as f64, 5.0 + 10.0 * row as f64);
                let score = if row < 3 && col < 3 { 1.0 - 0.01 * (row * 3 + col) as f64 } else { 0.1 };
                tiles.push(tile(0, x, y, score));
            }
        }
        tiles[99].score = 0.5;
        let picked = spread_top(&tiles, 4);
        assert_eq!(picked.len(), 4);
        assert_eq!(picked[0], 0, "the best first");
        assert!(picked.contains(&99), "the far corner's lesser problem is among the picks: {picked:?}");
        let crowded = picked.iter().filter(|&&i| i % 10 < 3 && i / 10 < 3).count();
        assert!(crowded <= 2, "at most two picks in the crowded corner: {picked:?}");
        // Asking for every tile gives every tile, best first.
        let all = spread_top(&tiles, 200);
        assert_eq!(all.len(), 100);
        let mut sorted = all.clone();
        sorted.sort();
        assert_eq!(sorted, (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn images_do_not_crowd_each_other_out_and_nan_scores_are_never_picked() {
        let tiles =
            vec![tile(0, 5.0, 5.0, 0.9), tile(1, 5.0, 5.0, 0.8), tile(0, 6.0, 5.0, 0.7), tile(1, 0.0, 0.0, f64::NAN)];
        assert_eq!(spread_top(&tiles, 2), vec![0, 1]);
        assert_eq!(spread_top(&tiles, 5), vec![0, 1, 2]);
        assert!(spread_top(&[], 3).is_empty());
    }
}
