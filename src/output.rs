//! The output folder: a run's files become visible together, with a manifest, and never mixed
//! with an earlier run's files.
//!
//! A commit into `--out DIR`:
//! 1. finishes or undoes an interrupted earlier commit (see [`recover`]) and removes its
//!    leftover staging folders and temporary files;
//! 2. writes every file, and `outputs.json` (tool version, command, scenario, every input with
//!    its SHA-256, every file of the run with its SHA-256), into a staging folder
//!    `DIR/.carecircle-staging-PID/`; a failure here removes the staging folder and leaves the
//!    earlier set untouched. (A set made with [`OutputSet::for_dir`] takes the lock, recovers
//!    and opens this folder earlier, at its first large file, and writes such files there as
//!    the stages produce them; see [`OutputSet`].);
//! 3. writes the switch journal `DIR/.carecircle-switch.json` (atomically: temporary file, then
//!    rename). This is the commit point: from now on the new set wins;
//! 4. removes the old `outputs.json`, moves the staged files into `DIR`, removes the files of
//!    the earlier run that this run does not write (those listed in its `outputs.json`, or,
//!    for a run older than the manifest, carrying a known output name), moves the new
//!    `outputs.json` in last, and removes the staging folder and the journal.
//!
//! So at any moment a reader (or the next run) sees either a complete set — `outputs.json`
//! present and no journal; every file's SHA-256 is in the manifest — or an unfinished switch —
//! the journal present, or `outputs.json` missing. The next commit rolls a journalled switch
//! forward (it is idempotent) and a staging folder without a journal back (deletes it).

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// The manifest of a run, written last.
pub const MANIFEST: &str = "outputs.json";
/// The journal of a switch in progress.
pub const JOURNAL: &str = ".carecircle-switch.json";
/// Staging folders are named this plus the process id.
pub const STAGING_PREFIX: &str = ".carecircle-staging-";
/// Held (with the process id inside) while a run commits into the folder, so that two runs
/// into one folder cannot take each other's staging folder for an interrupted one.
pub const LOCK: &str = ".carecircle-lock";

/// The output names carecircle has written (DESIGN.md's table), for folders written before
/// `outputs.json` existed; maps are `map_*.png` / `map_*.svg`.
pub const KNOWN_OUTPUTS: &[&str] = &[
    "summary.json",
    "coverage.csv",
    "communities.geojson",
    "uncovered.geojson",
    "service_areas.geojson",
    "sites.geojson",
    "sites.csv",
    "rules.csv",
    "report.md",
    "report.html",
    "report.xlsx",
    "compare.csv",
    MANIFEST,
];

/// True for a name carecircle writes as an output.
pub fn is_known_output_name(name: &str) -> bool {
    KNOWN_OUTPUTS.contains(&name)
        || (name.starts_with("map_") && (name.ends_with(".png") || name.ends_with(".svg")))
}

/// What a run was, for its manifest.
#[derive(Debug, Clone, Default)]
pub struct RunInfo {
    /// The command (`run`, `audit`, ...).
    pub command: String,
    /// The scenario file, as given.
    pub scenario: Option<PathBuf>,
    /// Every input file read (the scenario first), hashed into the manifest.
    pub inputs: Vec<PathBuf>,
}

/// What a commit did.
#[derive(Debug, Clone, Default)]
pub struct Committed {
    /// The files of this run, `outputs.json` last.
    pub files: Vec<PathBuf>,
    /// Files of an earlier run that this run does not write, removed.
    pub removed: Vec<PathBuf>,
}

/// A set of output files written together.
///
/// Made with [`OutputSet::for_dir`], a file of [`SPILL_BYTES`] or more goes straight into the
/// commit's staging folder inside the output folder (taking the folder's lock then), so that a
/// city's maps and report (hundreds of megabytes) are not all held in memory until the commit.
/// Nothing of it is visible as an output before the commit; a set dropped without committing
/// removes its staging folder (and the output folder, when it made it and it is still empty).
#[derive(Debug, Default)]
pub struct OutputSet {
    files: Vec<(String, Content)>,
    /// The output folder the set will be committed into, when known in advance.
    dir: Option<PathBuf>,
    spill: Option<Spill>,
}

/// Files at least this large go to the staging folder as they are added (see [`OutputSet`]).
pub const SPILL_BYTES: usize = 1 << 20;

#[derive(Debug)]
enum Content {
    Bytes(Vec<u8>),
    /// Written into the staging folder.
    Staged,
}

/// The staging folder a set writes its large files into before the commit.
#[derive(Debug)]
struct Spill {
    dir: PathBuf,
    staging_name: String,
    /// Whether the set created the output folder itself.
    made_dir: bool,
    /// Set when the switch journal is written: from then on the staging folder belongs to the
    /// switch (a later run rolls it forward) and must not be removed.
    switched: std::sync::atomic::AtomicBool,
    lock: Option<DirLock>,
}

impl Spill {
    fn open(dir: &Path) -> Result<Spill> {
        let made_dir = !dir.exists();
        std::fs::create_dir_all(dir).map_err(|e| write_err(dir, e))?;
        let lock = DirLock::take(dir)?;
        recover(dir)?;
        let staging_name = format!("{STAGING_PREFIX}{}", std::process::id());
        let staging = dir.join(&staging_name);
        std::fs::create_dir(&staging).map_err(|e| write_err(&staging, e))?;
        Ok(Spill {
            dir: dir.to_path_buf(),
            staging_name,
            made_dir,
            switched: std::sync::atomic::AtomicBool::new(false),
            lock: Some(lock),
        })
    }

    fn staging(&self) -> PathBuf {
        self.dir.join(&self.staging_name)
    }
}

impl Drop for Spill {
    fn drop(&mut self) {
        if self.switched.load(std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        let _ = std::fs::remove_dir_all(self.staging());
        drop(self.lock.take());
        if self.made_dir {
            // Only when empty: a commit moved files in, or someone else wrote there.
            let _ = std::fs::remove_dir(&self.dir);
        }
    }
}

/// One file in the manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestFile {
    #[serde(alias = "name")]
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

/// `outputs.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub tool: String,
    pub version: String,
    pub command: String,
    pub scenario: Option<String>,
    pub inputs: Vec<ManifestFile>,
    /// The files of the run (names inside the output folder), without `outputs.json` itself.
    pub files: Vec<ManifestFile>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Journal {
    staging: String,
    /// Staged names, `outputs.json` last.
    files: Vec<String>,
    /// Files of the earlier run to remove.
    stale: Vec<String>,
}

/// Where a commit stops early, to test interruptions: after this many renames of step 4.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(not(test), allow(dead_code))]
enum Stop {
    Never,
    /// Before the journal is written (a kill while staging).
    BeforeJournal,
    /// After `n` renames of the switch.
    AfterRenames(usize),
}

impl OutputSet {
    /// A set held in memory until the commit.
    pub fn new() -> OutputSet {
        OutputSet::default()
    }

    /// A set that will be committed into `dir`: its large files are staged there as they are
    /// added (see [`OutputSet`]). Nothing is created in `dir` until the first such file.
    pub fn for_dir(dir: &Path) -> OutputSet {
        OutputSet {
            dir: Some(dir.to_path_buf()),
            ..OutputSet::default()
        }
    }

    /// Adds (or replaces) a file.
    pub fn add(&mut self, name: &str, bytes: Vec<u8>) {
        self.files.retain(|(n, _)| n != name);
        let content = self.stage(name, &bytes).unwrap_or(Content::Bytes(bytes));
        self.files.push((name.to_string(), content));
    }

    /// Writes a large file into the staging folder. `None` keeps it in memory: a small file,
    /// a set without a folder, or a folder that cannot be written now (the commit then
    /// reports the error, with nothing visible written).
    fn stage(&mut self, name: &str, bytes: &[u8]) -> Option<Content> {
        if bytes.len() < SPILL_BYTES || !plain_name(name) || name == MANIFEST {
            return None;
        }
        let dir = self.dir.clone()?;
        if self.spill.is_none() {
            self.spill = Some(Spill::open(&dir).ok()?);
        }
        let path = self.spill.as_ref()?.staging().join(name);
        std::fs::write(&path, bytes).ok()?;
        Some(Content::Staged)
    }

    /// A file's bytes (read back from the staging folder when it was staged).
    pub fn get(&self, name: &str) -> Option<std::borrow::Cow<'_, [u8]>> {
        let (_, content) = self.files.iter().find(|(n, _)| n == name)?;
        match content {
            Content::Bytes(b) => Some(std::borrow::Cow::Borrowed(b.as_slice())),
            Content::Staged => {
                let path = self.spill.as_ref()?.staging().join(name);
                std::fs::read(path).ok().map(std::borrow::Cow::Owned)
            }
        }
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.files.iter().map(|(n, _)| n.as_str())
    }

    /// Commits the set into `dir` with a manifest that names no command or inputs; returns the
    /// files written. Commands use [`OutputSet::commit_run`].
    pub fn commit(&self, dir: &Path) -> Result<Vec<PathBuf>> {
        Ok(self.commit_run(dir, &RunInfo::default())?.files)
    }

    /// Commits the set into `dir` (see the module documentation): all files become visible
    /// together with `outputs.json`, and the files of an earlier run that this run does not
    /// write are removed.
    pub fn commit_run(&self, dir: &Path, run: &RunInfo) -> Result<Committed> {
        self.commit_stopping(dir, run, Stop::Never)
    }

    fn commit_stopping(&self, dir: &Path, run: &RunInfo, stop: Stop) -> Result<Committed> {
        if let Some((name, _)) = self.files.iter().find(|(n, _)| !plain_name(n)) {
            return Err(Error::Other(format!(
                "output name {name:?} is not a plain file name"
            )));
        }
        // The staging folder the set already wrote into, when it is this commit's folder.
        let spilled = self.spill.as_ref().filter(|s| s.dir == dir);
        let _lock = match spilled {
            // Held since the first staged file, and recovery ran then.
            Some(_) => None,
            None => {
                std::fs::create_dir_all(dir).map_err(|e| write_err(dir, e))?;
                let lock = DirLock::take(dir)?;
                recover(dir)?;
                Some(lock)
            }
        };

        let mut names: Vec<&str> = self.names().filter(|n| *n != MANIFEST).collect();
        names.sort_unstable();
        let new: BTreeSet<&str> = names.iter().copied().collect();
        let stale: Vec<String> = earlier_outputs(dir)
            .into_iter()
            .filter(|n| n != MANIFEST && !new.contains(n.as_str()))
            .collect();

        let staging_name = match spilled {
            Some(s) => s.staging_name.clone(),
            None => format!("{STAGING_PREFIX}{}", std::process::id()),
        };
        let staging = dir.join(&staging_name);
        let staged = (|| -> Result<()> {
            if spilled.is_none() {
                std::fs::create_dir(&staging).map_err(|e| write_err(&staging, e))?;
            }
            // Files are written, synced and hashed in parallel (each waits on its own fsync);
            // the manifest lists them in name order whatever finishes first, and the first
            // failure in that order is the one reported.
            let files = names
                .par_iter()
                .map(|name| {
                    let path = staging.join(name);
                    let content = self.files.iter().find(|(n, _)| n == name).map(|(_, c)| c);
                    let (bytes, sha256) = match content {
                        // An output, so not through the inputs' remembered hashes.
                        Some(Content::Staged) if spilled.is_some() => {
                            sha256_synced(&path).map_err(|e| write_err(&path, e))?
                        }
                        _ => {
                            let bytes = self.get(name).unwrap_or_default();
                            write_synced(&path, &bytes)?;
                            (bytes.len() as u64, hex(&Sha256::digest(&bytes)))
                        }
                    };
                    Ok(ManifestFile {
                        path: name.to_string(),
                        bytes,
                        sha256,
                    })
                })
                .collect::<Vec<Result<ManifestFile>>>()
                .into_iter()
                .collect::<Result<Vec<_>>>()?;
            let manifest = manifest(run, files)?;
            write_synced(&staging.join(MANIFEST), &manifest)?;
            sync_dir(&staging);
            if stop == Stop::BeforeJournal {
                return Err(Error::Other("interrupted before the switch (test)".into()));
            }
            Ok(())
        })();
        if let Err(e) = staged {
            if stop != Stop::BeforeJournal && spilled.is_none() {
                let _ = std::fs::remove_dir_all(&staging);
            }
            // A spilled set removes its staging folder when it is dropped.
            return Err(e);
        }

        let mut journal_files: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        journal_files.push(MANIFEST.to_string());
        let journal = Journal {
            staging: staging_name,
            files: journal_files,
            stale,
        };
        let text = serde_json::to_vec_pretty(&journal)
            .map_err(|e| Error::Other(format!("writing the switch journal: {e}")))?;
        let tmp = dir.join(format!("{JOURNAL}.{}.tmp", std::process::id()));
        write_synced(&tmp, &text)?;
        if let Some(s) = spilled {
            s.switched.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        std::fs::rename(&tmp, dir.join(JOURNAL)).map_err(|e| write_err(&dir.join(JOURNAL), e))?;
        sync_dir(dir);

        let limit = match stop {
            Stop::AfterRenames(n) => Some(n),
            _ => None,
        };
        apply(dir, &journal, limit).map_err(|e| match e {
            Error::Write { path, source } => Error::Other(format!(
                "cannot write {}: {source}; the outputs in {} are incomplete until the next \
                 carecircle run into it finishes the switch",
                path.display(),
                dir.display()
            )),
            other => other,
        })?;
        Ok(Committed {
            files: journal.files.iter().map(|n| dir.join(n)).collect(),
            removed: journal.stale.iter().map(|n| dir.join(n)).collect(),
        })
    }
}

/// The folder's lock, released when dropped.
#[derive(Debug)]
struct DirLock {
    path: PathBuf,
}

impl DirLock {
    fn take(dir: &Path) -> Result<DirLock> {
        let path = dir.join(LOCK);
        for _ in 0..3 {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut f) => {
                    let _ = writeln!(f, "{}", std::process::id());
                    return Ok(DirLock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let holder = std::fs::read_to_string(&path)
                        .ok()
                        .and_then(|s| s.trim().parse::<u32>().ok());
                    if let Some(pid) = holder.filter(|p| process_alive(*p)) {
                        return Err(Error::Other(format!(
                            "another carecircle run (process {pid}) is writing into {}; wait for \
                             it to finish, or remove {} if there is no such run",
                            dir.display(),
                            path.display()
                        )));
                    }
                    // Left by a run that was killed: take it over.
                    remove_if_present(&path)?;
                }
                Err(e) => return Err(write_err(&path, e)),
            }
        }
        Err(Error::Other(format!(
            "cannot take the lock {} of the output folder",
            path.display()
        )))
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Whether a process runs (Linux: its /proc entry). Elsewhere a lock is assumed held, and the
/// error says how to remove a stale one.
fn process_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new(&format!("/proc/{pid}")).exists()
    } else {
        true
    }
}

/// Finishes a switch that an earlier run began (rolls forward when its journal is there),
/// removes staging folders without a journal (rolls back) and the temporary files of
/// interrupted runs. Returns whether a switch was rolled forward.
pub fn recover(dir: &Path) -> Result<bool> {
    let journal_path = dir.join(JOURNAL);
    let mut rolled = false;
    match std::fs::read(&journal_path) {
        Ok(bytes) => {
            let journal: Journal = serde_json::from_slice(&bytes).map_err(|e| {
                Error::Other(format!(
                    "{} is not a carecircle switch journal ({e}); remove it and the \
                     {STAGING_PREFIX}* folders by hand",
                    journal_path.display()
                ))
            })?;
            if !plain_name(&journal.staging)
                || !journal
                    .files
                    .iter()
                    .chain(&journal.stale)
                    .all(|n| plain_name(n))
            {
                return Err(Error::Other(format!(
                    "{} names files outside its folder; remove it by hand",
                    journal_path.display()
                )));
            }
            apply(dir, &journal, None)?;
            rolled = true;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(write_err(&journal_path, e)),
    }
    let entries = std::fs::read_dir(dir).map_err(|e| write_err(dir, e))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if name.starts_with(STAGING_PREFIX) {
            std::fs::remove_dir_all(&path).map_err(|e| write_err(&path, e))?;
        } else if is_leftover_temp(&name) {
            std::fs::remove_file(&path).map_err(|e| write_err(&path, e))?;
        }
    }
    Ok(rolled)
}

/// `.NAME.PID.tmp` of an output name (the earlier writer's temporary files) or of the journal.
fn is_leftover_temp(name: &str) -> bool {
    let Some(inner) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else {
        return false;
    };
    let Some((stem, pid)) = inner.rsplit_once('.') else {
        return false;
    };
    !pid.is_empty()
        && pid.bytes().all(|b| b.is_ascii_digit())
        && (is_known_output_name(stem) || stem == &JOURNAL[1..])
}

/// Step 4 of a commit; idempotent, so a later run can repeat it after a kill. `limit` stops
/// after that many renames (tests of interruptions).
fn apply(dir: &Path, journal: &Journal, limit: Option<usize>) -> Result<()> {
    let staging = dir.join(&journal.staging);
    let staged_manifest = staging.join(MANIFEST);
    // The old manifest goes first: while files move, no outputs.json claims a complete set.
    if staged_manifest.exists() {
        remove_if_present(&dir.join(MANIFEST))?;
    }
    let mut renames = 0;
    for name in &journal.files {
        if name == MANIFEST {
            continue;
        }
        let from = staging.join(name);
        if !from.exists() {
            continue; // moved before an interruption
        }
        if limit.is_some_and(|l| renames >= l) {
            return Err(Error::Other(format!(
                "interrupted after {renames} renames (test)"
            )));
        }
        let to = dir.join(name);
        std::fs::rename(&from, &to).map_err(|e| write_err(&to, e))?;
        renames += 1;
    }
    for name in &journal.stale {
        remove_if_present(&dir.join(name))?;
    }
    if staged_manifest.exists() {
        std::fs::rename(&staged_manifest, dir.join(MANIFEST))
            .map_err(|e| write_err(&dir.join(MANIFEST), e))?;
    }
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(|e| write_err(&staging, e))?;
    }
    sync_dir(dir);
    remove_if_present(&dir.join(JOURNAL))?;
    sync_dir(dir);
    Ok(())
}

/// The files of an earlier run in `dir`: those its `outputs.json` lists, and any file with a
/// known output name (runs older than the manifest).
fn earlier_outputs(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if let Ok(bytes) = std::fs::read(dir.join(MANIFEST)) {
        if let Ok(m) = serde_json::from_slice::<Manifest>(&bytes) {
            if m.tool == "carecircle" {
                out.extend(
                    m.files
                        .into_iter()
                        .map(|f| f.path)
                        .filter(|n| plain_name(n)),
                );
            }
        }
    }
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if is_known_output_name(&name) && entry.file_type().is_ok_and(|t| t.is_file()) {
                out.insert(name);
            }
        }
    }
    // Only what is there can be removed.
    out.retain(|n| dir.join(n).is_file());
    out
}

fn manifest(run: &RunInfo, files: Vec<ManifestFile>) -> Result<Vec<u8>> {
    let mut seen = BTreeSet::new();
    let unique: Vec<&PathBuf> = run
        .inputs
        .iter()
        .filter(|p| seen.insert(p.to_path_buf()))
        .collect();
    // The inputs (the roads may be hundreds of MB) are hashed in parallel, listed in order.
    let inputs = unique
        .par_iter()
        .map(|path| {
            let (bytes, sha256) = sha256_file(path).map_err(|e| {
                Error::Other(format!(
                    "cannot read the input {} again to record it in {MANIFEST}: {e}",
                    path.display()
                ))
            })?;
            Ok(ManifestFile {
                path: path.to_string_lossy().into_owned(),
                bytes,
                sha256,
            })
        })
        .collect::<Vec<Result<ManifestFile>>>()
        .into_iter()
        .collect::<Result<Vec<_>>>()?;
    let m = Manifest {
        tool: "carecircle".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        command: run.command.clone(),
        scenario: run
            .scenario
            .as_ref()
            .map(|p| p.to_string_lossy().into_owned()),
        inputs,
        files,
    };
    let mut bytes = serde_json::to_vec_pretty(&json!(m))
        .map_err(|e| Error::Other(format!("writing {MANIFEST}: {e}")))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The size and SHA-256 (lower-case hex) of a file, read in pieces.
///
/// A run hashes its inputs twice (the report's title block at the start, `outputs.json` at the
/// end), and a city's roads are tens of MB: a file hashed before in this process, whose size and
/// modification time have not changed since, is not read again. A file modified in the last two
/// seconds is always read (file times tick coarsely: two writes of the same size within one tick
/// would carry the same time).
pub fn sha256_file(path: &Path) -> std::io::Result<(u64, String)> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    use std::time::{Duration, SystemTime};
    type Stamp = (PathBuf, u64, Option<SystemTime>);
    static HASHED: OnceLock<Mutex<HashMap<Stamp, String>>> = OnceLock::new();
    let meta = std::fs::metadata(path)?;
    let settled = |t: SystemTime| {
        SystemTime::now()
            .duration_since(t)
            .is_ok_and(|age| age >= Duration::from_secs(2))
    };
    let stamp: Stamp = (
        path.to_path_buf(),
        meta.len(),
        meta.modified().ok().filter(|&t| settled(t)),
    );
    let hashed = HASHED.get_or_init(Default::default);
    if stamp.2.is_some() {
        if let Some(sha256) = hashed.lock().ok().and_then(|m| m.get(&stamp).cloned()) {
            return Ok((stamp.1, sha256));
        }
    }
    let (bytes, sha256) = sha256_read(path)?;
    if stamp.2.is_some() && bytes == stamp.1 {
        if let Ok(mut m) = hashed.lock() {
            m.insert(stamp, sha256.clone());
        }
    }
    Ok((bytes, sha256))
}

/// [`sha256_file`] without the memory of earlier hashes.
fn sha256_read(path: &Path) -> std::io::Result<(u64, String)> {
    sha256_of(&mut std::fs::File::open(path)?)
}

/// The size and SHA-256 of a staged file, which is then synced (one open for both).
fn sha256_synced(path: &Path) -> std::io::Result<(u64, String)> {
    let mut file = std::fs::File::open(path)?;
    let hashed = sha256_of(&mut file)?;
    file.sync_all()?;
    Ok(hashed)
}

fn sha256_of(file: &mut std::fs::File) -> std::io::Result<(u64, String)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    Ok((total, hex(&hasher.finalize())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A text cell for a CSV file that Excel or LibreOffice may open: text starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return would be run as a formula (CSV injection), so it gets
/// a leading `'` as OWASP recommends. Numbers (`-3.5`, `+1`, `1e5`) stay numbers.
pub fn csv_text(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let number = cell.trim().parse::<f64>().is_ok_and(f64::is_finite);
    if risky && !number {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// Refuses an output folder that holds an input (the scenario's folder, or any folder with an
/// input layer, rule file or matrix directly in it): carecircle would write beside, and could
/// overwrite, the user's data. An error of the `--out` flag (exit 2), found before any work.
pub fn check_out_dir(out: &Path, inputs: &[PathBuf]) -> Result<()> {
    if out.exists() && !out.is_dir() {
        return Err(Error::Usage(format!(
            "--out {} is a file; give a folder for the outputs",
            out.display()
        )));
    }
    let Ok(out_real) = out.canonicalize() else {
        // A folder that does not exist yet holds no input.
        return Ok(());
    };
    for input in inputs {
        let Ok(real) = input.canonicalize() else {
            continue;
        };
        if real.parent() == Some(out_real.as_path()) {
            return Err(Error::Usage(format!(
                "--out {} holds the input {}; carecircle would write its outputs beside (and \
                 could overwrite) your data: give another folder, e.g. --out {}",
                out.display(),
                input.display(),
                out.join("out").display()
            )));
        }
    }
    Ok(())
}

fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\'])
        && Path::new(name).components().count() == 1
}

fn write_err(path: &Path, source: std::io::Error) -> Error {
    Error::Write {
        path: path.to_path_buf(),
        source,
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::File::create(path)
        .and_then(|mut f| {
            f.write_all(bytes)?;
            f.sync_all()
        })
        .map_err(|e| write_err(path, e))
}

fn remove_if_present(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(write_err(path, e)),
        _ => Ok(()),
    }
}

/// Makes renames in a folder durable where the platform allows (best effort).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(files: &[(&str, &str)]) -> OutputSet {
        let mut s = OutputSet::new();
        for (n, t) in files {
            s.add(n, t.as_bytes().to_vec());
        }
        s
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn read(dir: &Path, name: &str) -> String {
        std::fs::read_to_string(dir.join(name)).unwrap()
    }

    fn manifest_of(dir: &Path) -> Manifest {
        serde_json::from_slice(&std::fs::read(dir.join(MANIFEST)).unwrap()).unwrap()
    }

    /// Every file the manifest lists is there with its hash: the set is complete.
    fn complete(dir: &Path) -> bool {
        !dir.join(JOURNAL).exists()
            && dir.join(MANIFEST).exists()
            && manifest_of(dir).files.iter().all(|f| {
                sha256_file(&dir.join(&f.path)).is_ok_and(|(b, h)| b == f.bytes && h == f.sha256)
            })
    }

    /// A file is hashed once while its size and time stay, but one modified in the last two
    /// seconds is read every time.
    #[test]
    fn input_hashes_are_remembered_only_for_settled_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("roads.geojson");
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        std::fs::write(&path, "abc").unwrap();
        assert_eq!(sha256_file(&path).unwrap(), (3, abc.to_string()));
        // Rewritten at once with the same size: read again.
        std::fs::write(&path, "abd").unwrap();
        assert_ne!(sha256_file(&path).unwrap().1, abc);
        // A settled file (an hour old) is remembered: the same size and time give the first
        // hash even though the bytes changed in between.
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        let set_time = |text: &str| {
            std::fs::write(&path, text).unwrap();
            let f = std::fs::File::options().write(true).open(&path).unwrap();
            f.set_modified(old).unwrap();
        };
        set_time("abc");
        assert_eq!(sha256_file(&path).unwrap().1, abc);
        set_time("abd");
        assert_eq!(sha256_file(&path).unwrap().1, abc);
        // Another size is another file.
        set_time("abcd");
        assert_eq!(
            sha256_file(&path).unwrap().1,
            "88d4266fd4e6338d13b845fcf289579d209c897823b9217da3e161936f031589"
        );
    }

    #[test]
    fn manifest_lists_files_and_inputs_with_sha256() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.txt");
        std::fs::write(&input, "abc").unwrap();
        let out = dir.path().join("out");
        let run = RunInfo {
            command: "audit".into(),
            scenario: Some(input.clone()),
            inputs: vec![input.clone(), input.clone()],
        };
        let done = set(&[("summary.json", "{}"), ("coverage.csv", "a,b\n")])
            .commit_run(&out, &run)
            .unwrap();
        assert_eq!(done.files.last().unwrap(), &out.join(MANIFEST));
        let m = manifest_of(&out);
        assert_eq!(m.command, "audit");
        assert_eq!(m.version, env!("CARGO_PKG_VERSION"));
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        assert_eq!(m.inputs.len(), 1);
        assert_eq!(
            m.inputs[0].sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(m.inputs[0].bytes, 3);
        let names: Vec<&str> = m.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(names, ["coverage.csv", "summary.json"]);
        assert!(complete(&out));
        assert_eq!(
            listing(&out),
            ["coverage.csv", "outputs.json", "summary.json"]
        );
    }

    /// A file just over the spill size, distinct per seed.
    fn large(seed: u8) -> Vec<u8> {
        (0..SPILL_BYTES + 17)
            .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
            .collect()
    }

    #[test]
    fn a_set_for_its_folder_stages_large_files_and_commits_the_same_set() {
        let dir = tempfile::tempdir().unwrap();
        let (held, spilled) = (dir.path().join("held"), dir.path().join("spilled"));
        let files = [("map_a.svg", large(1)), ("small.csv", b"a,b\n".to_vec())];
        let mut a = OutputSet::new();
        let mut b = OutputSet::for_dir(&spilled);
        for (n, bytes) in &files {
            a.add(n, bytes.clone());
            b.add(n, bytes.clone());
        }
        // The large file sits in the staging folder, invisible as an output, and reads back.
        let staging = spilled.join(format!("{STAGING_PREFIX}{}", std::process::id()));
        assert_eq!(listing(&staging), ["map_a.svg"]);
        assert!(spilled.join(LOCK).exists());
        assert_eq!(b.get("map_a.svg").unwrap().as_ref(), files[0].1.as_slice());
        // Replacing a staged file by a small one keeps the small one.
        b.add("map_a.svg", b"x".to_vec());
        b.add("map_a.svg", files[0].1.clone());
        a.commit(&held).unwrap();
        b.commit(&spilled).unwrap();
        assert_eq!(manifest_of(&held).files, manifest_of(&spilled).files);
        assert!(complete(&spilled));
        drop(b);
        assert_eq!(
            listing(&spilled),
            ["map_a.svg", "outputs.json", "small.csv"]
        );
    }

    #[test]
    fn a_staged_set_dropped_without_commit_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("fresh");
        let mut set = OutputSet::for_dir(&fresh);
        set.add("report.html", large(2));
        assert!(fresh.exists());
        drop(set);
        assert!(!fresh.exists(), "the folder it made is removed");
        // In a folder with an earlier run, that run stays complete and alone.
        let earlier = dir.path().join("earlier");
        set_of(&earlier, "old");
        let mut set = OutputSet::for_dir(&earlier);
        set.add("report.html", large(3));
        drop(set);
        assert!(complete(&earlier));
        assert_eq!(listing(&earlier), ["outputs.json", "summary.json"]);
    }

    #[test]
    fn a_second_set_staging_into_a_folder_in_use_is_refused_at_commit() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let mut first = OutputSet::for_dir(&out);
        first.add("a.svg", large(4));
        let mut second = OutputSet::for_dir(&out);
        second.add("b.svg", large(5));
        let err = second.commit(&out).unwrap_err();
        assert!(err.to_string().contains("another carecircle run"), "{err}");
        drop(second);
        first.commit(&out).unwrap();
        assert!(out.join(LOCK).exists(), "held until the set is dropped");
        drop(first);
        assert_eq!(listing(&out), ["a.svg", "outputs.json"]);
    }

    fn set_of(dir: &Path, text: &str) {
        set(&[("summary.json", text)]).commit(dir).unwrap();
    }

    #[test]
    fn files_of_an_earlier_run_that_this_run_does_not_write_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        set(&[
            ("summary.json", "1"),
            ("sites.csv", "1"),
            ("custom_extra.txt", "1"),
        ])
        .commit(out)
        .unwrap();
        // A user's own file, and a map of a run older than the manifest.
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        std::fs::write(out.join("map_sites_canteen.png"), "old").unwrap();
        let done = set(&[("summary.json", "2")]).commit(out).unwrap();
        assert_eq!(done.len(), 2);
        assert_eq!(listing(out), ["notes.txt", "outputs.json", "summary.json"]);
        assert_eq!(read(out, "summary.json"), "2");
    }

    #[test]
    fn a_kill_while_staging_leaves_the_old_set_and_is_cleaned_up() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        set(&[("summary.json", "old"), ("coverage.csv", "old")])
            .commit(out)
            .unwrap();
        let err = set(&[("summary.json", "new")])
            .commit_stopping(out, &RunInfo::default(), Stop::BeforeJournal)
            .unwrap_err();
        assert!(err.to_string().contains("interrupted"), "{err}");
        // The old set is complete; the staging folder is left as a kill would leave it.
        assert!(complete(out));
        assert_eq!(read(out, "summary.json"), "old");
        assert!(listing(out).iter().any(|n| n.starts_with(STAGING_PREFIX)));
        // Leftover temporary files of the earlier writer too.
        std::fs::write(out.join(".coverage.csv.4242.tmp"), "x").unwrap();
        std::fs::write(out.join(".notes.txt.4242.tmp"), "mine").unwrap();
        assert!(!recover(out).unwrap(), "nothing to roll forward");
        assert_eq!(
            listing(out),
            [
                ".notes.txt.4242.tmp",
                "coverage.csv",
                "outputs.json",
                "summary.json"
            ]
        );
        assert_eq!(read(out, "summary.json"), "old");
    }

    #[test]
    fn a_kill_between_renames_is_detectable_and_rolled_forward() {
        for stop_after in 0..4 {
            let dir = tempfile::tempdir().unwrap();
            let out = dir.path();
            set(&[
                ("summary.json", "old"),
                ("coverage.csv", "old"),
                ("rules.csv", "old"),
            ])
            .commit(out)
            .unwrap();
            let new = set(&[
                ("summary.json", "new"),
                ("coverage.csv", "new"),
                ("sites.csv", "new"),
            ]);
            let r = new.commit_stopping(out, &RunInfo::default(), Stop::AfterRenames(stop_after));
            if stop_after < 3 {
                assert!(r.is_err());
                // Mixed on disk, but never passed off as complete.
                assert!(out.join(JOURNAL).exists());
                assert!(!out.join(MANIFEST).exists());
                assert!(!complete(out));
            }
            // The next commit (of anything) first finishes the switch; here only recovery.
            recover(out).unwrap();
            assert!(complete(out), "after {stop_after} renames");
            assert_eq!(
                listing(out),
                ["coverage.csv", "outputs.json", "sites.csv", "summary.json"]
            );
            for n in ["coverage.csv", "sites.csv", "summary.json"] {
                assert_eq!(read(out, n), "new");
            }
        }
    }

    #[test]
    fn csv_text_neutralises_formulas_and_keeps_numbers() {
        assert_eq!(csv_text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_text("+1+2"), "'+1+2");
        assert_eq!(csv_text("-cmd"), "'-cmd");
        assert_eq!(csv_text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_text("\tx"), "'\tx");
        assert_eq!(csv_text("\rx"), "'\rx");
        assert_eq!(csv_text("-3.5"), "-3.5");
        assert_eq!(csv_text("+1"), "+1");
        assert_eq!(csv_text("-1e5"), "-1e5");
        assert_eq!(csv_text("-inf"), "'-inf");
        assert_eq!(csv_text("东湖社区"), "东湖社区");
        assert_eq!(csv_text("a=b"), "a=b");
        assert_eq!(csv_text(""), "");
    }

    #[test]
    fn a_folder_locked_by_a_running_process_is_refused_and_a_stale_lock_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        // Process 1 (init) is always alive.
        std::fs::write(out.join(LOCK), "1\n").unwrap();
        if cfg!(target_os = "linux") {
            let e = set(&[("summary.json", "x")]).commit(out).unwrap_err();
            assert!(e.to_string().contains("process 1"), "{e}");
            assert!(!out.join("summary.json").exists());
        }
        // A pid that cannot be running (above the kernel's maximum).
        std::fs::write(out.join(LOCK), "4294967295\n").unwrap();
        if cfg!(target_os = "linux") {
            set(&[("summary.json", "x")]).commit(out).unwrap();
            assert_eq!(read(out, "summary.json"), "x");
            assert!(!out.join(LOCK).exists(), "released after the commit");
        }
    }

    #[test]
    fn leftover_temp_names_are_recognised_narrowly() {
        assert!(is_leftover_temp(".summary.json.123.tmp"));
        assert!(is_leftover_temp(".map_coverage_day_care.png.9.tmp"));
        assert!(is_leftover_temp(".carecircle-switch.json.77.tmp"));
        assert!(!is_leftover_temp(".notes.txt.123.tmp"));
        assert!(!is_leftover_temp(".summary.json.abc.tmp"));
        assert!(!is_leftover_temp("summary.json.123.tmp"));
    }

    #[test]
    fn out_folder_holding_an_input_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir(&data).unwrap();
        let input = data.join("communities.geojson");
        std::fs::write(&input, "{}").unwrap();
        let e = check_out_dir(&data, std::slice::from_ref(&input)).unwrap_err();
        assert!(matches!(e, Error::Usage(_)));
        assert!(e.to_string().contains("holds the input"), "{e}");
        // The same folder named another way.
        let e = check_out_dir(&data.join("..").join("data"), std::slice::from_ref(&input));
        assert!(e.is_err());
        // A parent folder or a new folder is fine; a file is not.
        assert!(check_out_dir(dir.path(), std::slice::from_ref(&input)).is_ok());
        assert!(check_out_dir(&data.join("out"), std::slice::from_ref(&input)).is_ok());
        assert!(check_out_dir(&input, &[]).is_err());
    }
}
