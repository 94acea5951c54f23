//! A map laid out in pixels, drawn by plotters onto a PNG (BitMapBackend) and an SVG
//! (SVGBackend) from the same items, so both show the same thing.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontDesc, FontFamily, FontStyle};

use super::font::LabelFont;
use crate::error::{Error, Result};

/// An sRGB colour with opacity (0..1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rgba(pub u8, pub u8, pub u8, pub f64);

impl Rgba {
    pub const fn rgb(r: u8, g: u8, b: u8) -> Rgba {
        Rgba(r, g, b, 1.0)
    }
    pub fn alpha(self, a: f64) -> Rgba {
        Rgba(self.0, self.1, self.2, a)
    }
    fn plotters(self) -> RGBAColor {
        RGBAColor(self.0, self.1, self.2, self.3)
    }
}

/// Where a text's anchor point is on the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// Left end of the baseline.
    Left,
    /// Middle of the baseline.
    Centre,
    /// Right end of the baseline.
    Right,
}

/// One thing to draw, in pixels.
#[derive(Debug, Clone)]
pub enum Item {
    /// A filled polygon. Several rings (an exterior and its holes, oriented oppositely) are
    /// drawn as one path joined at their first points, so holes stay empty under the
    /// even-odd and the non-zero rule alike.
    Polygon { points: Vec<(i32, i32)>, fill: Rgba },
    Line {
        points: Vec<(i32, i32)>,
        colour: Rgba,
        width: u32,
    },
    Circle {
        centre: (i32, i32),
        radius: u32,
        fill: Option<Rgba>,
        stroke: Option<(Rgba, u32)>,
    },
    Rect {
        a: (i32, i32),
        b: (i32, i32),
        fill: Option<Rgba>,
        stroke: Option<(Rgba, u32)>,
    },
    /// Text on a baseline; `halo` draws it first in that colour offset by one pixel each way,
    /// so it reads on any background.
    Text {
        text: String,
        at: (i32, i32),
        size: f64,
        colour: Rgba,
        anchor: Anchor,
        halo: Option<Rgba>,
    },
}

/// Everything a map shows, in drawing order.
#[derive(Debug, Clone)]
pub struct Scene {
    pub width: u32,
    pub height: u32,
    pub background: Rgba,
    pub items: Vec<Item>,
}

impl Scene {
    pub fn new(width: u32, height: u32, background: Rgba) -> Scene {
        Scene {
            width,
            height,
            background,
            items: Vec::new(),
        }
    }

    pub fn push(&mut self, item: Item) {
        self.items.push(item);
    }

    /// The PNG and the SVG of the scene, drawn side by side.
    pub fn to_png_and_svg(&self, font: Option<&LabelFont>) -> Result<(Vec<u8>, String)> {
        let (png, svg) = rayon::join(|| self.to_png(font), || self.to_svg(font));
        Ok((png?, svg?))
    }

    /// Draws the scene as a PNG (8-bit RGB).
    pub fn to_png(&self, font: Option<&LabelFont>) -> Result<Vec<u8>> {
        let (w, h) = (self.width.max(1), self.height.max(1));
        let mut buf = vec![255u8; w as usize * h as usize * 3];
        {
            let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
            self.draw(&root, font, false)
                .map_err(|e| Error::Other(format!("drawing a PNG map: {e}")))?;
            root.present()
                .map_err(|e| Error::Other(format!("drawing a PNG map: {e}")))?;
        }
        encode_png(&buf, w, h)
    }

    /// Draws the scene as an SVG document; text stays text.
    pub fn to_svg(&self, font: Option<&LabelFont>) -> Result<String> {
        // Reserved up front: a city's SVG is tens of megabytes, and growing it by doubling
        // holds the old and the new buffer at once. Reserved but unwritten pages are never
        // touched, so a generous bound costs no memory.
        let mut out = String::with_capacity(self.svg_size_bound());
        {
            let root = SVGBackend::with_string(&mut out, (self.width.max(1), self.height.max(1)))
                .into_drawing_area();
            self.draw(&root, font, true)
                .map_err(|e| Error::Other(format!("drawing an SVG map: {e}")))?;
            root.present()
                .map_err(|e| Error::Other(format!("drawing an SVG map: {e}")))?;
        }
        out.shrink_to_fit();
        Ok(out)
    }

    /// More bytes than the SVG of the scene takes (each element's markup, each point at most
    /// "-12345,-12345 ").
    fn svg_size_bound(&self) -> usize {
        const ELEMENT: usize = 200;
        const POINT: usize = 16;
        4096 + self
            .items
            .iter()
            .map(|item| match item {
                Item::Polygon { points, .. } | Item::Line { points, .. } => {
                    ELEMENT + POINT * points.len()
                }
                Item::Circle { .. } | Item::Rect { .. } => ELEMENT,
                // The halo draws the text four more times.
                Item::Text { text, halo, .. } => {
                    (ELEMENT + 6 * text.len()) * if halo.is_some() { 5 } else { 1 }
                }
            })
            .sum::<usize>()
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        font: Option<&LabelFont>,
        svg: bool,
    ) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        root.fill(&self.background.plotters())?;
        for item in &self.items {
            match item {
                Item::Polygon { points, fill } => {
                    if points.len() >= 3 {
                        root.draw(&Polygon::new(points.clone(), fill.plotters().filled()))?;
                    }
                }
                Item::Line {
                    points,
                    colour,
                    width,
                } => {
                    if points.len() >= 2 {
                        root.draw(&PathElement::new(
                            points.clone(),
                            colour.plotters().stroke_width(*width),
                        ))?;
                    }
                }
                Item::Circle {
                    centre,
                    radius,
                    fill,
                    stroke,
                } => {
                    if let Some(f) = fill {
                        root.draw(&Circle::new(*centre, *radius, f.plotters().filled()))?;
                    }
                    if let Some((c, w)) = stroke {
                        root.draw(&Circle::new(
                            *centre,
                            *radius,
                            c.plotters().stroke_width(*w),
                        ))?;
                    }
                }
                Item::Rect { a, b, fill, stroke } => {
                    if let Some(f) = fill {
                        root.draw(&Rectangle::new([*a, *b], f.plotters().filled()))?;
                    }
                    if let Some((c, w)) = stroke {
                        root.draw(&Rectangle::new([*a, *b], c.plotters().stroke_width(*w)))?;
                    }
                }
                Item::Text {
                    text,
                    at,
                    size,
                    colour,
                    anchor,
                    halo,
                } => {
                    let Some(font) = font else { continue };
                    if text.is_empty() || *size <= 0.0 {
                        continue;
                    }
                    // Names from the data may hold control characters, which XML forbids.
                    let text = &super::xml_text(text).into_owned();
                    let h = match anchor {
                        Anchor::Left => HPos::Left,
                        Anchor::Centre => HPos::Center,
                        Anchor::Right => HPos::Right,
                    };
                    // plotters puts the baseline at y + size/2 with ab_glyph and at
                    // y + 0.76 em (em = size / 1.24) in SVG; both are moved onto `at`.
                    let top = if svg {
                        at.1 - (0.76 * size / 1.24).round() as i32
                    } else {
                        at.1 - (0.5 * size).round() as i32
                    };
                    let family = super::xml_text(font.family()).into_owned();
                    let desc = FontDesc::new(FontFamily::Name(&family), *size, FontStyle::Normal);
                    if let Some(halo) = halo {
                        let halo = halo.plotters();
                        let style = TextStyle::from(desc.clone())
                            .color(&halo)
                            .pos(Pos::new(h, VPos::Top));
                        for (dx, dy) in [(-1, 0), (1, 0), (0, -1), (0, 1)] {
                            root.draw(&Text::new(
                                text.clone(),
                                (at.0 + dx, top + dy),
                                style.clone(),
                            ))?;
                        }
                    }
                    let colour = colour.plotters();
                    let style = TextStyle::from(desc)
                        .color(&colour)
                        .pos(Pos::new(h, VPos::Top));
                    root.draw(&Text::new(text.clone(), (at.0, top), style))?;
                }
            }
        }
        Ok(())
    }
}

/// Encodes an RGB buffer as a PNG.
pub fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        let err = |e: png::EncodingError| Error::Other(format!("encoding a PNG map: {e}"));
        let mut w = enc.write_header().map_err(err)?;
        w.write_image_data(rgb).map_err(err)?;
        w.finish().map_err(err)?;
    }
    Ok(out)
}

/// Decodes a PNG written by [`encode_png`] (or any 8-bit RGB/RGBA PNG) into RGB, for tests
/// and checks.
pub fn decode_png(bytes: &[u8]) -> Result<(u32, u32, Vec<u8>)> {
    let err = |e: png::DecodingError| Error::Other(format!("reading a PNG: {e}"));
    let decoder = png::Decoder::new(bytes);
    let mut reader = decoder.read_info().map_err(err)?;
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).map_err(err)?;
    buf.truncate(info.buffer_size());
    let rgb = match (info.color_type, info.bit_depth) {
        (png::ColorType::Rgb, png::BitDepth::Eight) => buf,
        (png::ColorType::Rgba, png::BitDepth::Eight) => buf
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect(),
        (c, d) => {
            return Err(Error::Other(format!(
                "reading a PNG: {c:?} at {d:?} is not 8-bit RGB"
            )))
        }
    };
    Ok((info.width, info.height, rgb))
}
