//! The fast path for line layers (roads) in GeoJSON: a byte scanner that reads a
//! FeatureCollection of LineString / MultiLineString features straight into coordinates and
//! the requested fields, in parallel chunks of the features array.
//!
//! A city's roads file is by far the largest input (66 MB for 310,000 segments), and reading it
//! through serde_json's visitors took about a third of a whole `audit`. This scanner handles the
//! common shape of such files and nothing else: whenever it meets anything it does not handle
//! (another geometry type, a bad position, a null geometry, invalid or unusual JSON, a missing
//! member), it gives up and returns `None`, and the caller reads the file with the general
//! reader (`geojson.rs`), which then reports the problem with its usual message. So the fast
//! path never decides an error, and for every file it accepts it returns exactly the features
//! the general reader would: numbers are parsed correctly rounded (as serde_json does with its
//! `float_roundtrip` feature, which the build enables), strings are unescaped as JSON says,
//! later duplicate members win as they do there.
//!
//! Parallel chunks: the features array is cut at guessed feature boundaries (a `{` after a
//! `,`); each chunk is scanned on its own core, and a chunk's guessed start is accepted only
//! when the chunk before it ends a feature exactly there. A wrong guess (the `,{` was inside a
//! string) means one sequential scan instead. Chunks are joined in file order, so the result
//! does not depend on the number of threads.
//!
//! The file is never in memory whole: each chunk reads its part through a window of
//! [`WINDOW`] bytes that it reuses, one feature at a time; a feature that runs past the
//! window's end is read again from its start with the window moved there (and grown, for a
//! feature longer than the window). The scan then reads bytes the read has just put in the
//! cache, and a city's 115 MB file costs no 115 MB of fresh pages.

use std::borrow::Cow;

use geo::{Coord, Geometry, LineString, MultiLineString};
use rayon::prelude::*;

use super::features::{DeclaredCrs, FieldValue, ReadRequest};

/// Nesting deeper than this is left to the general reader (serde_json allows 128).
const MAX_DEPTH: usize = 100;

/// The bytes a chunk's scan reads at a time (the tests use a window far smaller than a
/// feature, so that every path through the window's end is taken).
const WINDOW: usize = if cfg!(test) { 61 } else { 512 << 10 };

/// The file the scanner reads, a piece at a time.
pub struct Source {
    file: std::fs::File,
    len: usize,
}

impl Source {
    /// An input file (through `io::open_input`, so the size limit applies); `None` on any
    /// problem (the general reader then reports it).
    pub fn file(path: &std::path::Path) -> Option<Source> {
        let (file, len) = super::open_input(path, super::input_limits()).ok()?;
        let len = usize::try_from(len).ok()?;
        Some(Source { file, len })
    }

    fn len(&self) -> usize {
        self.len
    }

    /// Fills `buf` with the bytes from `at`; `None` when the file ends first.
    fn read_at(&self, at: usize, buf: &mut [u8]) -> Option<()> {
        let mut done = 0;
        while done < buf.len() {
            match self.read_some(at + done, &mut buf[done..])? {
                0 => return None,
                n => done += n,
            }
        }
        Some(())
    }

    /// One positioned read (no shared cursor: the chunks read the file at once).
    #[cfg(unix)]
    fn read_some(&self, at: usize, buf: &mut [u8]) -> Option<usize> {
        use std::os::unix::fs::FileExt;
        self.file.read_at(buf, at as u64).ok()
    }

    #[cfg(windows)]
    fn read_some(&self, at: usize, buf: &mut [u8]) -> Option<usize> {
        use std::os::windows::fs::FileExt;
        self.file.seek_read(buf, at as u64).ok()
    }

    /// Elsewhere the fast path declines every file (the general reader reads it).
    #[cfg(not(any(unix, windows)))]
    fn read_some(&self, _at: usize, _buf: &mut [u8]) -> Option<usize> {
        None
    }

    /// Whether the file still ends where it did when it was opened (nothing was added while
    /// it was read; a file that shrank fails its reads).
    fn unchanged(&self) -> bool {
        let mut more = [0u8; 1];
        self.read_some(self.len, &mut more) == Some(0)
    }

    /// The bytes from `at` to `end` (at most the end of the file).
    fn bytes(&self, at: usize, end: usize) -> Option<Vec<u8>> {
        let end = end.min(self.len);
        let mut buf = vec![0u8; end.checked_sub(at)?];
        self.read_at(at, &mut buf)?;
        Some(buf)
    }
}

/// A part of the document in memory: `buf` holds the bytes from `base`.
struct Window {
    buf: Vec<u8>,
    base: usize,
}

impl Window {
    /// Moves the window to start at `at`, with `len` bytes (fewer at the document's end).
    fn fill(&mut self, source: &Source, at: usize, len: usize) -> Option<()> {
        let end = at.saturating_add(len).min(source.len());
        self.buf.resize(end.checked_sub(at)?, 0);
        source.read_at(at, &mut self.buf)?;
        self.base = at;
        Some(())
    }

    /// Whether the window runs to the document's end.
    fn at_end(&self, source: &Source) -> bool {
        self.base + self.buf.len() == source.len()
    }
}

/// A FeatureCollection whose members before `features` have been read.
pub struct Collection {
    source: Source,
    /// The `crs` member given before the features (the general reader applies only those).
    pub declared_crs: Option<DeclaredCrs>,
    /// Whether `"type": "FeatureCollection"` came before the features.
    type_seen: Option<bool>,
    /// The first byte after the features array's `[`, in the document.
    features_at: usize,
}

/// One feature as the scanner read it: the requested values (in request order) and its line
/// geometry, still in the layer's own coordinates.
///
/// The values live in a list the chunk's scan keeps from feature to feature, so that a text
/// value the mapping only looks at (a city's one-way flag on every road) reuses the previous
/// feature's string instead of allocating one; a value the mapping keeps it takes out.
pub struct LineFeature<'f> {
    pub fields: &'f mut [FieldValue],
    pub geometry: Geometry<f64>,
}

/// Opens a FeatureCollection: reads the members before `features`. `None` when the document
/// is not a plain FeatureCollection with a features array.
pub fn open(source: Source) -> Option<Collection> {
    // The members before the features are read from the document's first window, or from the
    // whole document when they run past it.
    let head = source.bytes(0, WINDOW)?;
    let found = match open_head(&head) {
        None if head.len() < source.len() => open_head(&source.bytes(0, source.len())?),
        found => found,
    };
    let (declared_crs, type_seen, features_at) = found?;
    Some(Collection {
        source,
        declared_crs,
        type_seen,
        features_at,
    })
}

/// The members before `features` in `bytes` (the document's start): the declared CRS,
/// whether the type was seen, and where the array's items begin.
fn open_head(bytes: &[u8]) -> Option<(Option<DeclaredCrs>, Option<bool>, usize)> {
    let bom = if bytes.starts_with(b"\xef\xbb\xbf") {
        3
    } else {
        0
    };
    let mut s = Scan { b: bytes, at: bom };
    s.ws();
    s.expect(b'{')?;
    let mut declared_crs = None;
    let mut type_seen = None;
    s.ws();
    if s.peek()? == b'}' {
        return None;
    }
    loop {
        let key = s.key()?;
        match key.as_ref() {
            b"features" => {
                s.expect(b'[')?;
                return Some((declared_crs, type_seen, s.at));
            }
            b"type" => type_seen = Some(s.string()?.as_ref() == "FeatureCollection"),
            b"crs" => declared_crs = s.crs()?,
            // The members of a bare Feature: the general reader's business.
            b"properties" | b"geometry" | b"id" => return None,
            _ => s.skip_value(1)?,
        }
        s.ws();
        match s.next()? {
            b',' => s.ws(),
            _ => return None,
        }
    }
}

impl Collection {
    /// Every feature mapped through `map` (in file order), or `None` when the file is not of
    /// the shape this scanner reads or `map` refuses a feature. `map` gets the feature's values
    /// and geometry, whether it is the layer's first feature, and the list to add its items to.
    pub fn map_features<T: Send>(
        &self,
        request: &ReadRequest,
        map: impl Fn(LineFeature<'_>, bool, &mut Vec<T>) -> Option<()> + Sync,
    ) -> Option<Vec<T>> {
        if request.keep_rest {
            return None;
        }
        let source = &self.source;
        // The first feature's `{` (after the blanks that follow the `[`).
        let mut window = Window {
            buf: Vec::new(),
            base: 0,
        };
        let mut first = self.features_at;
        loop {
            window.fill(source, first, WINDOW)?;
            let mut s = Scan {
                b: &window.buf,
                at: 0,
            };
            s.ws();
            first += s.at;
            if s.at < window.buf.len() {
                break;
            }
            if window.at_end(source) {
                return None;
            }
        }
        if window.buf[first - window.base] != b'{' {
            // An empty array (an empty layer) or not an array of objects.
            return None;
        }
        // Guessed chunk starts: about two chunks per thread, each at a `{` that follows a `,`.
        let chunks = (rayon::current_num_threads() * 2).clamp(1, 64);
        let len = source.len() - first;
        let mut starts = vec![first];
        for k in 1..chunks {
            let from = first + len * k / chunks;
            if let Some(at) = guess_feature_start(source, from.max(*starts.last()? + 1)) {
                if at > *starts.last()? {
                    starts.push(at);
                }
            }
        }
        starts.dedup();
        let scanned: Vec<Option<Chunk<T>>> = (0..starts.len())
            .into_par_iter()
            .map(|k| {
                scan_chunk(
                    source,
                    starts[k],
                    starts.get(k + 1).copied(),
                    k == 0,
                    request,
                    &map,
                )
            })
            .collect();
        let verified = scanned.iter().enumerate().all(|(k, chunk)| {
            // A chunk that ran into the array's end before the next guessed start fails too.
            chunk
                .as_ref()
                .is_some_and(|c| c.end.is_some() == (k + 1 == starts.len()))
        });
        let mut out: Vec<T> = Vec::new();
        let mut end = None;
        if verified {
            let total: usize = scanned.iter().flatten().map(|c| c.items.len()).sum();
            // The first chunk's list grows into the whole (a large list grows in place, its
            // items are not copied) and the others are moved in after it.
            let mut chunks = scanned.into_iter().flatten();
            if let Some(chunk) = chunks.next() {
                end = chunk.end;
                out = chunk.items;
            }
            out.reserve_exact(total - out.len());
            for chunk in chunks {
                end = chunk.end;
                out.extend(chunk.items);
            }
        }
        if !verified {
            // One chunk over the whole array (a guessed start was inside a string, or the file
            // is not of this scanner's shape; then this fails too).
            let chunk = scan_chunk(source, first, None, true, request, &map)?;
            out = chunk.items;
            end = chunk.end;
        }
        // The members after the features array, and the end of the document.
        let rest = source.bytes(end?, source.len())?;
        let mut s = Scan { b: &rest, at: 0 };
        let mut type_seen = self.type_seen;
        loop {
            s.ws();
            match s.next()? {
                b'}' => break,
                b',' => {
                    s.ws();
                    let key = s.key()?;
                    match key.as_ref() {
                        b"type" => type_seen = Some(s.string()?.as_ref() == "FeatureCollection"),
                        b"crs" => {
                            // Read (and checked) but not applied: it came after the features.
                            s.crs()?;
                        }
                        b"features" | b"properties" | b"geometry" | b"id" => return None,
                        _ => s.skip_value(1)?,
                    }
                }
                _ => return None,
            }
        }
        s.ws();
        if s.at != rest.len() || type_seen != Some(true) || !source.unchanged() {
            return None;
        }
        Some(out)
    }
}

/// What one chunk of the features array gave: its mapped features, and where the document goes
/// on after the array's `]` when the chunk reached it.
struct Chunk<T> {
    items: Vec<T>,
    end: Option<usize>,
}

/// Scans features from `start` (a feature's `{`; `first`: the array's first feature) until the
/// array ends or the next chunk's start is reached exactly at a feature boundary (`None` when
/// it is passed inside a feature).
fn scan_chunk<T>(
    source: &Source,
    start: usize,
    stop: Option<usize>,
    first: bool,
    request: &ReadRequest,
    map: &(impl Fn(LineFeature<'_>, bool, &mut Vec<T>) -> Option<()> + Sync),
) -> Option<Chunk<T>> {
    let mut window = Window {
        buf: Vec::new(),
        base: start,
    };
    window.fill(source, start, WINDOW)?;
    let mut items = Vec::new();
    let mut first = first;
    let mut features = 0usize;
    let mut fields = vec![FieldValue::Absent; request.fields.len()];
    let mut seen = vec![false; request.fields.len()];
    // `at`: the next feature's `{` in the document.
    let mut at = start;
    loop {
        // One feature, the `,` or `]` after it and the blanks after a `,`, all from the
        // window; a scan that reaches the window's end (it failed, or cannot know that it is
        // done) is read again from the feature's start, with the window moved there (and grown
        // when it already started there), until the window runs to the document's end.
        let (geometry, separator, next) = loop {
            let mut s = Scan {
                b: &window.buf,
                at: at - window.base,
            };
            let unit = (|| {
                let geometry = s.feature(request, &mut fields, &mut seen)?;
                s.ws();
                let separator = s.next()?;
                if separator == b',' {
                    s.ws();
                }
                Some((geometry, separator))
            })();
            let whole = s.at < window.buf.len() || window.at_end(source);
            match unit {
                Some((geometry, separator)) if whole => {
                    break (geometry, separator, window.base + s.at)
                }
                _ if window.at_end(source) => return None,
                _ => {
                    let len = if window.base == at {
                        window.buf.len().saturating_mul(2)
                    } else {
                        WINDOW
                    };
                    window.fill(source, at, len)?;
                }
            }
        };
        map(
            LineFeature {
                fields: &mut fields,
                geometry,
            },
            first,
            &mut items,
        )?;
        first = false;
        features += 1;
        if features == RESERVE_AFTER {
            // The chunk's items, estimated from its first features' bytes, are reserved at
            // once: a city's chunk grows to hundreds of thousands of roads, and doubling
            // copies them (into fresh pages) about as often again.
            let chunk_len = stop.unwrap_or(source.len()) - start;
            let per_item = (next - start).div_ceil(items.len().max(1)).max(1);
            items.reserve((chunk_len / per_item).saturating_add(chunk_len / per_item / 16));
        }
        match separator {
            b',' => {
                at = next;
                if let Some(stop) = stop {
                    if at >= stop {
                        return (at == stop).then_some(Chunk { items, end: None });
                    }
                }
            }
            b']' => {
                if stop.is_some() {
                    return None;
                }
                return Some(Chunk {
                    items,
                    end: Some(next),
                });
            }
            _ => return None,
        }
    }
}

/// How many features a chunk scans before it reserves room for the rest of its items.
const RESERVE_AFTER: usize = 64;

/// The first `{` at or after `from` whose previous non-blank byte is a `,`: probably the start
/// of a feature (checked when the chunks are joined). Read a window at a time, starting a
/// little before `from`; a `{` whose previous non-blank byte is not in the window is passed
/// over (a guess is only a guess).
fn guess_feature_start(source: &Source, from: usize) -> Option<usize> {
    let mut at = from;
    while at < source.len() {
        let base = at.saturating_sub(WINDOW / 8);
        let b = source.bytes(base, at + WINDOW)?;
        for i in at - base..b.len() {
            if b[i] == b'{' {
                let prev = b[..i]
                    .iter()
                    .rev()
                    .find(|c| !matches!(c, b' ' | b'\n' | b'\r' | b'\t'));
                if prev == Some(&b',') {
                    return Some(base + i);
                }
            }
        }
        at = base + b.len();
    }
    None
}

/// A number of at most 15 digits and no exponent (a coordinate as files write them), exactly:
/// its digits as an integer below 10^15 and the power of ten it is divided by are both exact
/// doubles, so the one division is correctly rounded, the value `str::parse` gives (Clinger's
/// fast path). `None` for any other number, which `str::parse` then reads. `bytes` is a number
/// already checked against JSON's grammar.
fn short_decimal(bytes: &[u8]) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let (negative, digits) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, bytes),
    };
    let mut mantissa: u64 = 0;
    let mut count = 0usize;
    let mut fraction: Option<usize> = None;
    for &c in digits {
        match c {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + (c - b'0') as u64;
                count += 1;
                if count > 15 {
                    return None;
                }
                if let Some(f) = fraction.as_mut() {
                    *f += 1;
                }
            }
            b'.' if fraction.is_none() => fraction = Some(0),
            _ => return None,
        }
    }
    let v = mantissa as f64 / POW10[fraction.unwrap_or(0)];
    Some(if negative { -v } else { v })
}

/// A position in the document.
///
/// Only strings may hold bytes above ASCII (anywhere else the grammar has no place for them
/// and the scan fails), and every string is checked as UTF-8 while it is scanned, character by
/// character: so whatever the scanner accepts is valid UTF-8 without a separate pass over the
/// bytes (a separate pass over a city's roads was a tenth of the scan, on files whose every
/// feature holds Chinese names).
struct Scan<'a> {
    b: &'a [u8],
    at: usize,
}

/// The length of the UTF-8 character of more than one byte that `b` starts with; `None` when
/// `b` does not start with a well-formed one (the ranges of the Unicode Standard's table 3-7:
/// no overlong form, no surrogate, nothing above U+10FFFF, no truncated sequence).
fn utf8_char_len(b: &[u8]) -> Option<usize> {
    let tail = |c: u8| (0x80..=0xbf).contains(&c);
    let (len, second) = match *b.first()? {
        0xc2..=0xdf => (2, 0x80..=0xbf),
        0xe0 => (3, 0xa0..=0xbf),
        0xe1..=0xec | 0xee..=0xef => (3, 0x80..=0xbf),
        0xed => (3, 0x80..=0x9f),
        0xf0 => (4, 0x90..=0xbf),
        0xf1..=0xf3 => (4, 0x80..=0xbf),
        0xf4 => (4, 0x80..=0x8f),
        _ => return None,
    };
    let rest = b.get(1..len)?;
    (second.contains(&rest[0]) && rest[1..].iter().all(|&c| tail(c))).then_some(len)
}

/// The coordinates of a line geometry before its type is known.
enum LineCoords {
    /// `[]`: an empty LineString or MultiLineString.
    Empty,
    /// A list of positions (a LineString).
    Line(Vec<Coord<f64>>),
    /// A list of lists of positions (a MultiLineString).
    Parts(Vec<Vec<Coord<f64>>>),
}

impl<'a> Scan<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.at += 1;
        Some(c)
    }

    fn expect(&mut self, c: u8) -> Option<()> {
        (self.next()? == c).then_some(())
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.b.get(self.at) {
            self.at += 1;
        }
    }

    /// A member's key (its bytes, unescaped) and the `:` after it, with the blanks around.
    fn key(&mut self) -> Option<Cow<'a, [u8]>> {
        let k = self.raw_string()?;
        self.ws();
        self.expect(b':')?;
        self.ws();
        Some(k)
    }

    /// A string (at its opening quote), unescaped, as bytes that are valid UTF-8; `None` for
    /// an invalid one (bad escape, a control character, invalid UTF-8, a lone surrogate).
    fn raw_string(&mut self) -> Option<Cow<'a, [u8]>> {
        self.expect(b'"')?;
        let b = self.b;
        let start = self.at;
        let mut at = start;
        loop {
            match *b.get(at)? {
                b'"' => {
                    self.at = at + 1;
                    return Some(Cow::Borrowed(&b[start..at]));
                }
                b'\\' => {
                    self.at = start;
                    return self.escaped_string().map(|s| Cow::Owned(s.into_bytes()));
                }
                0..=0x1f => return None,
                0x20..=0x7f => at += 1,
                _ => at += utf8_char_len(&b[at..])?,
            }
        }
    }

    /// A string as text.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        Some(match self.raw_string()? {
            Cow::Borrowed(b) => Cow::Borrowed(std::str::from_utf8(b).ok()?),
            Cow::Owned(b) => Cow::Owned(String::from_utf8(b).ok()?),
        })
    }

    /// The slow path of [`Scan::string`]: from the first byte after the opening quote.
    fn escaped_string(&mut self) -> Option<String> {
        let mut out: Vec<u8> = Vec::new();
        loop {
            let c = self.next()?;
            match c {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let e = self.next()?;
                    let simple = match e {
                        b'"' => b'"',
                        b'\\' => b'\\',
                        b'/' => b'/',
                        b'b' => 0x08,
                        b'f' => 0x0c,
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let ch = if (0xD800..0xDC00).contains(&hi) {
                                self.expect(b'\\')?;
                                self.expect(b'u')?;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return None;
                                }
                                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?
                            } else {
                                char::from_u32(hi)?
                            };
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                            continue;
                        }
                        _ => return None,
                    };
                    out.push(simple);
                }
                0..=0x1f => return None,
                c => out.push(c),
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.b.get(self.at..self.at + 4)?;
        self.at += 4;
        let text = std::str::from_utf8(digits).ok()?;
        if !text.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(text, 16).ok()
    }

    /// A string skipped: only checked.
    fn skip_string(&mut self) -> Option<()> {
        self.raw_string().map(|_| ())
    }

    /// The bytes of a number, checked against JSON's grammar.
    fn number_text(&mut self) -> Option<&'a str> {
        let bytes = self.number_bytes()?;
        // Only ASCII digits and signs were taken.
        std::str::from_utf8(bytes).ok()
    }

    /// [`Scan::number_text`] as bytes.
    fn number_bytes(&mut self) -> Option<&'a [u8]> {
        let start = self.at;
        let digits = |s: &mut Scan| {
            let from = s.at;
            while let Some(b'0'..=b'9') = s.peek() {
                s.at += 1;
            }
            (s.at > from).then_some(())
        };
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => digits(self)?,
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            digits(self)?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            digits(self)?;
        }
        Some(&self.b[start..self.at])
    }

    /// A number as f64, correctly rounded; `None` when it is out of range.
    fn number(&mut self) -> Option<f64> {
        let bytes = self.number_bytes()?;
        if let Some(v) = short_decimal(bytes) {
            return Some(v);
        }
        let v: f64 = std::str::from_utf8(bytes).ok()?.parse().ok()?;
        v.is_finite().then_some(v)
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.at + word.len();
        (self.b.get(self.at..end)? == word).then(|| self.at = end)
    }

    /// Any JSON value skipped (checked, not kept).
    fn skip_value(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.peek()? {
            b'"' => self.skip_string(),
            b'{' => {
                self.at += 1;
                self.ws();
                if self.peek()? == b'}' {
                    self.at += 1;
                    return Some(());
                }
                loop {
                    self.skip_string()?;
                    self.ws();
                    self.expect(b':')?;
                    self.ws();
                    self.skip_value(depth + 1)?;
                    self.ws();
                    match self.next()? {
                        b',' => self.ws(),
                        b'}' => return Some(()),
                        _ => return None,
                    }
                }
            }
            b'[' => {
                self.at += 1;
                self.ws();
                if self.peek()? == b']' {
                    self.at += 1;
                    return Some(());
                }
                loop {
                    self.skip_value(depth + 1)?;
                    self.ws();
                    match self.next()? {
                        b',' => self.ws(),
                        b']' => return Some(()),
                        _ => return None,
                    }
                }
            }
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            _ => self.number_text().map(|_| ()),
        }
    }

    /// A property value as the general reader keeps it.
    fn field_value(&mut self) -> Option<FieldValue> {
        Some(match self.peek()? {
            b'"' => FieldValue::Text(self.string()?.into_owned()),
            b'{' => {
                self.skip_value(1)?;
                FieldValue::Other("an object".into())
            }
            b'[' => {
                self.skip_value(1)?;
                FieldValue::Other("an array".into())
            }
            b't' => {
                self.literal(b"true")?;
                FieldValue::Bool(true)
            }
            b'f' => {
                self.literal(b"false")?;
                FieldValue::Bool(false)
            }
            b'n' => {
                self.literal(b"null")?;
                FieldValue::Null
            }
            _ => FieldValue::Number(self.number()?),
        })
    }

    /// The 2008 `crs` member, read by the general reader's own rules.
    fn crs(&mut self) -> Option<Option<DeclaredCrs>> {
        let start = self.at;
        self.skip_value(1)?;
        serde_json::from_slice::<super::geojson::CrsMember>(&self.b[start..self.at])
            .ok()
            .map(|m| m.0)
    }

    /// One feature object: its requested values (into `fields`, in request order; `seen` is
    /// scratch of the same length) and its line geometry.
    fn feature(
        &mut self,
        request: &ReadRequest,
        fields: &mut [FieldValue],
        seen: &mut [bool],
    ) -> Option<Geometry<f64>> {
        self.expect(b'{')?;
        self.ws();
        let mut geometry = None;
        // Without a `properties` member every value is absent.
        seen.fill(false);
        if self.peek()? == b'}' {
            return None; // no geometry
        }
        loop {
            let key = self.key()?;
            match key.as_ref() {
                // A later `properties` member replaces an earlier one whole.
                b"properties" => self.properties(request, fields, seen)?,
                b"geometry" => geometry = Some(self.line_geometry()?),
                // Read as a value (a number out of range fails there as it does in the general
                // reader), then dropped: a line layer's features need no id.
                b"id" => {
                    self.field_value()?;
                }
                _ => self.skip_value(1)?,
            }
            self.ws();
            match self.next()? {
                b',' => self.ws(),
                b'}' => break,
                _ => return None,
            }
        }
        let geometry = geometry?;
        for (value, &seen) in fields.iter_mut().zip(seen.iter()) {
            if !seen {
                *value = FieldValue::Absent;
            }
        }
        Some(geometry)
    }

    /// A `properties` member: the requested values into `fields`, `seen` set for each value
    /// given (the later of duplicate keys wins); the others are absent.
    fn properties(
        &mut self,
        request: &ReadRequest,
        fields: &mut [FieldValue],
        seen: &mut [bool],
    ) -> Option<()> {
        seen.fill(false);
        if self.peek()? == b'n' {
            return self.literal(b"null");
        }
        self.expect(b'{')?;
        self.ws();
        if self.peek()? == b'}' {
            self.at += 1;
            return Some(());
        }
        loop {
            let key = self.key()?;
            let at = request
                .fields
                .iter()
                .position(|f| f.name.as_bytes() == &*key);
            match at {
                Some(i) => {
                    self.field_value_into(&mut fields[i])?;
                    seen[i] = true;
                }
                None => self.skip_value(1)?,
            }
            self.ws();
            match self.next()? {
                b',' => self.ws(),
                b'}' => return Some(()),
                _ => return None,
            }
        }
    }

    /// [`Scan::field_value`] into `value`: a text value reuses the string `value` holds.
    fn field_value_into(&mut self, value: &mut FieldValue) -> Option<()> {
        if let (Some(b'"'), FieldValue::Text(text)) = (self.peek(), &mut *value) {
            let s = self.string()?;
            text.clear();
            text.push_str(&s);
            return Some(());
        }
        *value = self.field_value()?;
        Some(())
    }

    /// A LineString or MultiLineString geometry object.
    fn line_geometry(&mut self) -> Option<Geometry<f64>> {
        self.expect(b'{')?;
        self.ws();
        let mut kind: Option<Cow<'a, [u8]>> = None;
        let mut coords = None;
        if self.peek()? == b'}' {
            return None;
        }
        loop {
            let key = self.key()?;
            match key.as_ref() {
                b"type" => kind = Some(self.raw_string()?),
                b"coordinates" => coords = Some(self.line_coords()?),
                b"geometries" => return None,
                _ => self.skip_value(1)?,
            }
            self.ws();
            match self.next()? {
                b',' => self.ws(),
                b'}' => break,
                _ => return None,
            }
        }
        Some(match (kind?.as_ref(), coords?) {
            (b"LineString", LineCoords::Empty) => Geometry::LineString(LineString::new(Vec::new())),
            (b"LineString", LineCoords::Line(c)) => Geometry::LineString(LineString::new(c)),
            (b"MultiLineString", LineCoords::Empty) => {
                Geometry::MultiLineString(MultiLineString::new(Vec::new()))
            }
            (b"MultiLineString", LineCoords::Parts(p)) => Geometry::MultiLineString(
                MultiLineString::new(p.into_iter().map(LineString::new).collect()),
            ),
            _ => return None,
        })
    }

    /// A position `[x, y]` or `[x, y, z, ...]` (further numbers are dropped).
    fn position(&mut self) -> Option<Coord<f64>> {
        self.expect(b'[')?;
        self.ws();
        let x = self.number()?;
        self.ws();
        self.expect(b',')?;
        self.ws();
        let y = self.number()?;
        loop {
            self.ws();
            match self.next()? {
                b']' => return Some(Coord { x, y }),
                b',' => {
                    self.ws();
                    self.number()?;
                }
                _ => return None,
            }
        }
    }

    /// A list of positions, at its `[`.
    fn positions(&mut self) -> Option<Vec<Coord<f64>>> {
        self.expect(b'[')?;
        self.ws();
        let mut out = Vec::new();
        if self.peek()? == b']' {
            self.at += 1;
            return Some(out);
        }
        loop {
            out.push(self.position()?);
            self.ws();
            match self.next()? {
                b',' => self.ws(),
                b']' => return Some(out),
                _ => return None,
            }
        }
    }

    /// The coordinates of a line geometry: a list of positions or a list of such lists.
    fn line_coords(&mut self) -> Option<LineCoords> {
        self.expect(b'[')?;
        self.ws();
        if self.peek()? == b']' {
            self.at += 1;
            return Some(LineCoords::Empty);
        }
        // The first element says which: `[` then a number is a position, `[` then `[` or `]`
        // a list of positions.
        self.expect(b'[')?;
        self.ws();
        let inner = self.peek()?;
        self.at -= 1;
        while self.b[self.at] != b'[' {
            self.at -= 1;
        }
        if matches!(inner, b'[' | b']') {
            let mut parts = Vec::new();
            loop {
                parts.push(self.positions()?);
                self.ws();
                match self.next()? {
                    b',' => self.ws(),
                    b']' => return Some(LineCoords::Parts(parts)),
                    _ => return None,
                }
            }
        }
        let mut line = Vec::new();
        loop {
            line.push(self.position()?);
            self.ws();
            match self.next()? {
                b',' => self.ws(),
                b']' => return Some(LineCoords::Line(line)),
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{short_decimal, utf8_char_len};

    /// The scanner's UTF-8 check agrees with the standard library's on every lead byte above
    /// ASCII with every second byte, and the third and fourth bytes at the edges of the ranges
    /// (and truncated sequences).
    #[test]
    fn utf8_characters_are_checked_as_the_standard_library_checks_them() {
        let edges = [0x00u8, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff];
        let mut valid = 0;
        for lead in 0x80..=0xffu8 {
            for second in 0..=0xffu8 {
                for third in edges {
                    for fourth in edges {
                        let bytes = [lead, second, third, fourth];
                        for len in 1..=4 {
                            let b = &bytes[..len];
                            // The first prefix that is valid UTF-8 is the character.
                            let want = (2..=len).find(|&n| std::str::from_utf8(&b[..n]).is_ok());
                            assert_eq!(utf8_char_len(b), want, "{b:x?}");
                            valid += usize::from(want.is_some());
                        }
                    }
                }
            }
        }
        assert!(valid > 100_000, "{valid}");
    }

    /// The exact path gives `str::parse`'s value, bit for bit (the sign of zero too), and
    /// declines what it cannot do exactly.
    #[test]
    fn short_decimals_parse_as_the_standard_parser_does() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        let mut exact = 0;
        for _ in 0..200_000 {
            let len = 1 + next(17) as usize;
            let mut text = String::new();
            if next(3) == 0 {
                text.push('-');
            }
            let dot = next(len as u64 + 1) as usize;
            for i in 0..len {
                if i == dot && i > 0 {
                    text.push('.');
                }
                // JSON's grammar: no leading zero before more integer digits.
                let lead = i == 0 && dot != 1 && len > 1;
                let d = if lead { 1 + next(9) } else { next(10) };
                text.push(char::from(b'0' + d as u8));
            }
            let want: f64 = text.parse().unwrap();
            match short_decimal(text.as_bytes()) {
                Some(got) => {
                    exact += 1;
                    assert_eq!(got.to_bits(), want.to_bits(), "{text}");
                }
                None => assert!(
                    text.bytes().filter(u8::is_ascii_digit).count() > 15,
                    "{text}"
                ),
            }
        }
        assert!(exact > 150_000, "{exact}");
        for (text, want) in [
            ("0", 0.0f64),
            ("-0", -0.0),
            ("-0.0", -0.0),
            ("115.9999488", 115.9999488),
            ("29.6998038", 29.6998038),
            ("0.1", 0.1),
            ("123456789012345", 123456789012345.0),
            ("0.00000000000001", 1e-14),
        ] {
            let got = short_decimal(text.as_bytes()).unwrap();
            assert_eq!(got.to_bits(), want.to_bits(), "{text}");
        }
        for text in ["1e5", "2.5E-3", "1234567890123456", "0.1234567890123456"] {
            assert_eq!(short_decimal(text.as_bytes()), None, "{text}");
        }
    }
}
