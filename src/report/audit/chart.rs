//! The report's two pictures, as geometry: findings per integration by
//! severity (stacked bars) and the effective-access matrix as a heat map.
//! Numbers only — positions, sizes, colours, counts — which the HTML
//! template writes as inline SVG: no script, no external resource, and
//! every count is also written as text, so the pictures read in black and
//! white print.

use super::{AccessMatrix, Card};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Charts {
    pub findings: BarChart,
    pub heat: HeatMap,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BarChart {
    pub width: u32,
    pub height: u32,
    /// Where the bars start.
    pub plot_x: u32,
    /// Where the axis ends.
    pub plot_end: u32,
    pub bar_height: u32,
    /// Where the axis is drawn.
    pub axis_y: u32,
    pub bars: Vec<Bar>,
    pub ticks: Vec<Tick>,
    pub legend: Vec<LegendItem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    /// The integration's name, shortened to fit.
    pub label: String,
    /// The full name and the counts (the hover text).
    pub title: String,
    pub y: u32,
    /// The baseline of the label text.
    pub text_y: u32,
    pub total: usize,
    /// Where the total is written.
    pub total_x: u32,
    pub segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub x: u32,
    pub width: u32,
    pub fill: &'static str,
    pub count: usize,
    /// The centre, where the count is written when it fits.
    pub text_x: u32,
    pub show_count: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tick {
    pub x: u32,
    pub label: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegendItem {
    pub x: u32,
    pub text_x: u32,
    pub fill: &'static str,
    pub label: &'static str,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeatMap {
    pub width: u32,
    pub height: u32,
    pub cell_width: u32,
    pub cell_height: u32,
    /// Where the row labels end.
    pub label_x: u32,
    pub columns: Vec<HeatColumn>,
    pub rows: Vec<HeatRow>,
    pub legend: Vec<LegendItem>,
    pub legend_y: u32,
    /// Objects left out to keep the picture legible (the table has all).
    pub omitted: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeatColumn {
    pub label: String,
    pub title: String,
    /// The anchor of the rotated label.
    pub x: u32,
    pub y: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeatRow {
    pub label: String,
    pub title: String,
    pub y: u32,
    pub text_y: u32,
    pub cells: Vec<HeatCell>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeatCell {
    pub x: u32,
    pub text_x: u32,
    pub fill: &'static str,
    pub ink: &'static str,
    /// The letters of the matrix cell; empty for no access.
    pub flags: String,
    pub title: String,
}

const ERROR: &str = "#b91c1c";
const WARNING: &str = "#b45309";
const INFO: &str = "#1d4ed8";

/// Heat levels: no access, read, create/edit, delete, view all, modify all.
const LEVELS: [(&str, &str, &str); 6] = [
    ("#ffffff", "#1f2937", "none"),
    ("#dbeafe", "#1f2937", "read"),
    ("#93c5fd", "#1f2937", "create / edit"),
    ("#2563eb", "#ffffff", "delete"),
    ("#c2410c", "#ffffff", "view all"),
    ("#7f1d1d", "#ffffff", "modify all"),
];

/// At most this many objects in the heat map.
pub const HEAT_ROWS: usize = 60;

/// Characters of a label before it is shortened.
const LABEL_CHARS: usize = 30;

fn shorten(text: &str) -> String {
    if text.chars().count() <= LABEL_CHARS {
        text.to_owned()
    } else {
        let mut out: String = text.chars().take(LABEL_CHARS - 1).collect();
        out.push('…');
        out
    }
}

/// Findings per integration by severity, one stacked bar each.
pub fn findings_chart(cards: &[Card]) -> BarChart {
    const PLOT_X: u32 = 210;
    const PLOT_W: u32 = 420;
    const TOP: u32 = 34;
    const ROW: u32 = 26;
    const BAR: u32 = 18;
    let max = cards
        .iter()
        .map(|c| c.errors + c.warnings + c.infos)
        .max()
        .unwrap_or(0)
        .max(1);
    // A round scale: 1, 2, 5, 10, 20, 50, ... at or above the maximum.
    let mut step = 1;
    while max.div_ceil(step) > 5 {
        step = match step.to_string().as_bytes()[0] {
            b'1' => step * 2,
            b'2' => step * 5 / 2,
            _ => step * 2,
        };
    }
    let scale_max = max.div_ceil(step) * step;
    let x_of = |n: usize| PLOT_X + (n as u64 * PLOT_W as u64 / scale_max as u64) as u32;
    let bars: Vec<Bar> = cards
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let y = TOP + i as u32 * ROW;
            let mut at = 0;
            let segments = [(c.errors, ERROR), (c.warnings, WARNING), (c.infos, INFO)]
                .into_iter()
                .filter(|(n, _)| *n > 0)
                .map(|(count, fill)| {
                    let (x, end) = (x_of(at), x_of(at + count));
                    at += count;
                    Segment {
                        x,
                        width: end - x,
                        fill,
                        count,
                        text_x: (x + end) / 2,
                        show_count: end - x >= 16,
                    }
                })
                .collect();
            let total = c.errors + c.warnings + c.infos;
            Bar {
                label: shorten(&c.identity.name),
                title: format!(
                    "{}: {} errors, {} warnings, {} info",
                    c.identity.name, c.errors, c.warnings, c.infos
                ),
                y,
                text_y: y + 13,
                total,
                total_x: x_of(total) + 6,
                segments,
            }
        })
        .collect();
    let axis_y = TOP + bars.len() as u32 * ROW;
    let ticks = (0..=scale_max / step)
        .map(|k| Tick {
            x: x_of(k * step),
            label: k * step,
        })
        .collect();
    let legend = [(ERROR, "errors"), (WARNING, "warnings"), (INFO, "info")]
        .into_iter()
        .enumerate()
        .map(|(i, (fill, label))| LegendItem {
            x: PLOT_X + i as u32 * 110,
            text_x: PLOT_X + i as u32 * 110 + 18,
            fill,
            label,
        })
        .collect();
    BarChart {
        width: PLOT_X + PLOT_W + 60,
        height: axis_y + 28,
        plot_x: PLOT_X,
        plot_end: PLOT_X + PLOT_W,
        bar_height: BAR,
        axis_y,
        bars,
        ticks,
        legend,
    }
}

/// The level of a matrix cell's letters.
fn level(flags: &str) -> usize {
    let has = |l: &str| flags.split(' ').any(|f| f == l);
    if has("MA") {
        5
    } else if has("VA") {
        4
    } else if has("D") {
        3
    } else if has("C") || has("E") {
        2
    } else if has("R") {
        1
    } else {
        0
    }
}

/// The access matrix as a heat map: objects down, integrations across.
pub fn heat_map(matrix: &AccessMatrix) -> HeatMap {
    const LABEL_W: u32 = 220;
    const CELL_W: u32 = 86;
    const CELL_H: u32 = 18;
    const HEADER: u32 = 120;
    let rows: Vec<HeatRow> = matrix
        .rows
        .iter()
        .take(HEAT_ROWS)
        .enumerate()
        .map(|(r, row)| {
            let y = HEADER + r as u32 * CELL_H;
            HeatRow {
                label: shorten(&row.object),
                title: row.object.clone(),
                y,
                text_y: y + 13,
                cells: row
                    .cells
                    .iter()
                    .enumerate()
                    .map(|(c, cell)| {
                        let x = LABEL_W + c as u32 * CELL_W;
                        let flags = cell.as_ref().map(|c| c.flags.clone()).unwrap_or_default();
                        let (fill, ink, what) = LEVELS[level(&flags)];
                        HeatCell {
                            x,
                            text_x: x + CELL_W / 2,
                            fill,
                            ink,
                            title: format!(
                                "{} · {}: {}",
                                matrix.columns[c],
                                row.object,
                                if flags.is_empty() { what } else { &flags }
                            ),
                            flags,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let columns = matrix
        .columns
        .iter()
        .enumerate()
        .map(|(c, name)| HeatColumn {
            label: shorten(name),
            title: name.clone(),
            x: LABEL_W + c as u32 * CELL_W + CELL_W / 2,
            y: HEADER - 6,
        })
        .collect();
    let legend_y = HEADER + rows.len() as u32 * CELL_H + 16;
    let legend = LEVELS
        .iter()
        .enumerate()
        .map(|(i, (fill, _, label))| LegendItem {
            x: 10 + i as u32 * 110,
            text_x: 10 + i as u32 * 110 + 18,
            fill,
            label,
        })
        .collect();
    // Room on the right for the last column's slanted label.
    let width = (LABEL_W + matrix.columns.len() as u32 * CELL_W + 140).max(680);
    HeatMap {
        width,
        height: legend_y + 24,
        cell_width: CELL_W,
        cell_height: CELL_H,
        label_x: LABEL_W - 8,
        columns,
        rows,
        legend,
        legend_y,
        omitted: matrix.rows.len().saturating_sub(HEAT_ROWS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_rank_the_strongest_letter() {
        assert_eq!(level(""), 0);
        assert_eq!(level("R"), 1);
        assert_eq!(level("C R E"), 2);
        assert_eq!(level("R D"), 3);
        assert_eq!(level("R VA"), 4);
        assert_eq!(level("C R E D VA MA"), 5);
    }

    #[test]
    fn long_labels_are_shortened() {
        assert_eq!(shorten("short"), "short");
        let long = "a".repeat(40);
        assert_eq!(shorten(&long).chars().count(), LABEL_CHARS);
        assert!(shorten(&long).ends_with('…'));
    }
}
