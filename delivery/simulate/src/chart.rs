//! Exposure over time, drawn twice from the same series: in the terminal (a grid of
//! characters, for `--format human`) and as SVG (plotters, for `--plot`). The y axis
//! is logarithmic so a ringed rollout's hundreds and July 2024's millions fit on one
//! chart.

use plotters::prelude::*;

use crate::report::Outcome;

/// The series to draw: a label, a mark for the terminal, the colour for SVG, and
/// hosts per minute.
fn series(outcome: &Outcome) -> Vec<(&'static str, char, RGBColor, &[u32])> {
    let mut out = vec![(
        "with rings",
        '*',
        RGBColor(0, 90, 180),
        outcome.run.exposure_per_minute.as_slice(),
    )];
    if let Some(other) = &outcome.no_rings {
        out.push((
            "no rings (July 2024)",
            'o',
            RGBColor(200, 40, 30),
            other.exposure_per_minute.as_slice(),
        ));
    }
    out
}

fn top(series: &[(&str, char, RGBColor, &[u32])]) -> u32 {
    series
        .iter()
        .flat_map(|s| s.3.iter().copied())
        .max()
        .unwrap_or(0)
        .max(10)
}

/// The chart as text, `width` columns of plot by `height` rows.
pub fn terminal(outcome: &Outcome, width: usize, height: usize) -> String {
    let series = series(outcome);
    let minutes = series.iter().map(|s| s.3.len()).max().unwrap_or(0).max(1);
    let max = f64::from(top(&series)).log10();
    let mut grid = vec![vec![' '; width]; height];
    for (_, mark, _, values) in &series {
        for (col, row_of) in (0..width).map(|c| (c, values.get(c * minutes / width))) {
            let Some(&v) = row_of else { continue };
            if v == 0 {
                continue;
            }
            let y = (f64::from(v).log10() / max * (height - 1) as f64).round() as usize;
            if let Some(cell) = grid
                .get_mut(height - 1 - y.min(height - 1))
                .and_then(|r| r.get_mut(col))
            {
                *cell = *mark;
            }
        }
    }
    let mut text = String::from("hosts that activated the release (log scale)\n");
    for (r, row) in grid.iter().enumerate() {
        let level = 10f64.powf(max * (height - 1 - r) as f64 / (height - 1) as f64);
        let label = if r % 3 == 0 {
            format!("{level:>9.0}")
        } else {
            " ".repeat(9)
        };
        text.push_str(&format!("{label} |{}\n", row.iter().collect::<String>()));
    }
    text.push_str(&format!("{} +{}\n", " ".repeat(9), "-".repeat(width)));
    let hours = minutes as f64 / 60.0;
    text.push_str(&format!(
        "{}  0 h{:>w$.0} h\n",
        " ".repeat(9),
        hours,
        w = width.saturating_sub(4)
    ));
    for (label, mark, _, values) in &series {
        text.push_str(&format!(
            "  {mark} {label}: {} hosts\n",
            values.last().copied().unwrap_or(0)
        ));
    }
    text
}

/// The chart as an SVG document.
pub fn svg(outcome: &Outcome, title: &str) -> Result<String, String> {
    let series = series(outcome);
    let minutes = series.iter().map(|s| s.3.len()).max().unwrap_or(0).max(1);
    let max = f64::from(top(&series)) * 1.5;
    let mut doc = String::new();
    {
        let root = SVGBackend::with_string(&mut doc, (900, 500)).into_drawing_area();
        let e = |e: DrawingAreaErrorKind<std::io::Error>| e.to_string();
        root.fill(&WHITE).map_err(e)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 20))
            .margin(15)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(0f64..minutes as f64 / 60.0, (1f64..max).log_scale())
            .map_err(e)?;
        chart
            .configure_mesh()
            .x_desc("hours since the start of the run")
            .y_desc("hosts that activated the release")
            .draw()
            .map_err(e)?;
        for (label, _, colour, values) in &series {
            let points = values
                .iter()
                .enumerate()
                .map(|(m, v)| (m as f64 / 60.0, f64::from(*v).max(1.0)));
            let colour = *colour;
            chart
                .draw_series(LineSeries::new(points, colour.stroke_width(2)))
                .map_err(e)?
                .label(*label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE)
            .border_style(BLACK)
            .position(SeriesLabelPosition::LowerRight)
            .draw()
            .map_err(e)?;
        root.present().map_err(e)?;
    }
    Ok(doc)
}
