//! A figure as a list of marks (rectangles, polylines, text), written as SVG or rasterised, so
//! that both renderings of a plot come from one drawing.

use std::fmt::Write as _;

/// An RGB colour.
pub type Rgb = [u8; 3];

/// Where a text's anchor point sits along the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    /// The text starts at the point.
    Start,
    /// The text is centred on the point.
    Middle,
    /// The text ends at the point.
    End,
}

/// One thing drawn, in figure units (SVG user units, y down).
#[derive(Clone, Debug, PartialEq)]
pub enum Mark {
    /// An axis-aligned rectangle, filled and/or outlined.
    Rect {
        /// Left, top, width, height.
        bounds: [f64; 4],
        /// Fill colour, if filled.
        fill: Option<Rgb>,
        /// Outline colour, if outlined (1 unit wide).
        stroke: Option<Rgb>,
    },
    /// A polyline.
    Line {
        /// Its points.
        points: Vec<[f64; 2]>,
        /// Its colour.
        colour: Rgb,
        /// Its width.
        width: f64,
        /// A class name written into the SVG (to tell series apart), if any.
        class: Option<String>,
    },
    /// A line of text whose baseline passes through `at`.
    Text {
        /// The anchor point.
        at: [f64; 2],
        /// The text.
        text: String,
        /// Font size.
        size: f64,
        /// Where the anchor sits along the text.
        anchor: Anchor,
        /// Its colour.
        colour: Rgb,
    },
}

/// A `width × height` figure on a white background.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// Width in figure units.
    pub width: u32,
    /// Height in figure units.
    pub height: u32,
    /// What is drawn, in order.
    pub marks: Vec<Mark>,
}

fn css(colour: Rgb) -> String {
    format!("rgb({},{},{})", colour[0], colour[1], colour[2])
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

impl Figure {
    /// An empty figure.
    pub fn new(width: u32, height: u32) -> Self {
        Self { width, height, marks: Vec::new() }
    }

    /// Adds a text of `size` in black.
    pub fn text(&mut self, at: [f64; 2], text: impl Into<String>, size: f64, anchor: Anchor) {
        self.marks.push(Mark::Text { at, text: text.into(), size, anchor, colour: [0, 0, 0] });
    }

    /// Adds a polyline.
    pub fn line(&mut self, points: Vec<[f64; 2]>, colour: Rgb, width: f64, class: Option<&str>) {
        self.marks.push(Mark::Line { points, colour, width, class: class.map(str::to_owned) });
    }

    /// Adds a rectangle.
    pub fn rect(&mut self, bounds: [f64; 4], fill: Option<Rgb>, stroke: Option<Rgb>) {
        self.marks.push(Mark::Rect { bounds, fill, stroke });
    }

    /// The figure as an SVG document.
    pub fn to_svg(&self) -> String {
        let mut svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"sans-serif\">\n\
             <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
            self.width, self.height
        );
        for mark in &self.marks {
            let _ = match mark {
                Mark::Rect { bounds: [x, y, w, h], fill, stroke } => writeln!(
                    svg,
                    "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{}\" stroke=\"{}\"/>",
                    fill.map_or("none".into(), css),
                    stroke.map_or("none".into(), css)
                ),
                Mark::Line { points, colour, width, class } => {
                    let points: Vec<String> = points.iter().map(|[x, y]| format!("{x:.1},{y:.1}")).collect();
                    let class = class.as_ref().map_or(String::new(), |c| format!(" class=\"{}\"", escape(c)));
                    writeln!(
                        svg,
                        "<polyline{class} fill=\"none\" stroke=\"{}\" stroke-width=\"{width}\" points=\"{}\"/>",
                        css(*colour),
                        points.join(" ")
                    )
                }
                Mark::Text { at: [x, y], text, size, anchor, colour } => {
                    let anchor = match anchor {
                        Anchor::Start => "start",
                        Anchor::Middle => "middle",
                        Anchor::End => "end",
                    };
                    writeln!(
                        svg,
                        "<text x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"{size}\" text-anchor=\"{anchor}\" fill=\"{}\">{}</text>",
                        css(*colour),
                        escape(text)
                    )
                }
            };
        }
        svg + "</svg>\n"
    }
}
