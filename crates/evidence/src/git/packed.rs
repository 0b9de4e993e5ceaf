//! Reads objects from a repository's pack files with a delta cache that
//! keeps every object of a delta chain it resolves, not only the one asked
//! for: what makes diffing a long history as cheap as `git log` whichever
//! way the pack's delta chains run.
//!
//! Why it exists: gix's object database caches only the object that was
//! asked for. When a pack's chains run from old to new (as `git fast-import`
//! and the repacks that reuse its deltas leave them) and history is read
//! newest first, every tree read walks its chain back to the base: about
//! `d` inflations and delta applications for an object at depth `d` (50 by
//! default). git's own delta base cache keeps each base it resolves on the
//! way, so reading a chain in either direction costs one delta per object.
//! This reader does the same: it follows a chain's entry headers (nothing
//! inflated) down to the first cached object or the full base, then
//! resolves upwards one delta at a time, caching each object on the way.
//!
//! The packs are opened (memory-mapped) once per scan, [`Packs`], and
//! shared by every thread that reads them; each thread reads through its
//! own [`PackedObjects`], with its own cache and no locks. Objects are
//! handed out shared with the cache (reference-counted), so the tree diff
//! reads them where they are instead of copying each one into a buffer.
//!
//! Objects that are not in a pack of the repository's own object directory
//! (loose objects, alternates) come from gix's object database as before,
//! so the answers never depend on how a repository is packed.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;
use std::rc::Rc;

use gix::hash::ObjectId;
use gix::hash::oid;
use gix::objs::{Find, Kind};
use gix::odb::pack::data::decode::entry::ResolvedBase;
use gix::odb::pack::data::entry::Header;
use gix::odb::pack::{self, Bundle};

/// A decoded object, shared between the cache and whoever reads it.
pub(crate) type Shared = Rc<Vec<u8>>;

/// The packs of a repository's object directory, opened once.
pub(crate) struct Packs {
    bundles: Vec<Bundle>,
    /// Per pack, how many of its objects' ids start with a byte up to each
    /// value: where [`lookup`] starts its search.
    fans: Vec<[u32; 256]>,
}

impl Packs {
    /// Opens the packs of `repo`'s object directory; a pack that can't be
    /// opened is left to the object database.
    pub(crate) fn open(repo: &gix::Repository) -> Self {
        let hash = repo.object_hash();
        let mut bundles: Vec<Bundle> = Vec::new();
        let dir = repo.objects.store_ref().path().join("pack");
        if let Ok(entries) = std::fs::read_dir(&dir) {
            let mut paths: Vec<_> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "idx") && p.with_extension("pack").is_file())
                .collect();
            paths.sort();
            for path in paths {
                if let Some(bundle) = open_bundle(&path, hash) {
                    bundles.push(bundle);
                }
            }
        }
        let fans = bundles.iter().map(|b| fan(&b.index)).collect();
        Packs { bundles, fans }
    }
}

/// The fan-out table of `index` (the one in its file, which gix keeps
/// private), found by a binary search per first byte.
fn fan(index: &pack::index::File) -> [u32; 256] {
    let mut fan = [0u32; 256];
    let mut start = 0;
    for (byte, slot) in fan.iter_mut().enumerate() {
        let (mut lo, mut hi) = (start, index.num_objects());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if usize::from(index.oid_at_index(mid).first_byte()) <= byte {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        *slot = lo;
        start = lo;
    }
    fan
}

/// The first eight bytes of an id (every hash has at least 20), as a
/// number that orders like the id.
fn prefix(id: &[u8]) -> u64 {
    id.first_chunk::<8>().map_or(0, |word| u64::from_be_bytes(*word))
}

/// Interpolation steps before [`lookup`] falls back to halving, and the
/// fewest ids left for which it still interpolates.
const INTERPOLATION_STEPS: u32 = 4;
const INTERPOLATE_ABOVE: u32 = 16;

/// Where `id` is in `index`, or `None`. Object ids are uniformly spread, so
/// the search first guesses where the id should be from its value
/// (interpolation: a few probes where a binary search over a large pack's
/// index needs a dozen, each a likely cache miss), then halves what is
/// left; ids are compared by their first eight bytes as one number, in
/// full only when those are equal. This runs for every object the scan
/// reads; a test checks it against gix's search.
fn lookup(index: &pack::index::File, fan: &[u32; 256], id: &oid) -> Option<u32> {
    search(index, fan, id, INTERPOLATE_ABOVE)
}

/// [`lookup`], interpolating while more than `interpolate_above` ids are
/// left (tests use small packs, so they lower it).
fn search(index: &pack::index::File, fan: &[u32; 256], id: &oid, interpolate_above: u32) -> Option<u32> {
    use std::cmp::Ordering;
    let first = usize::from(id.first_byte());
    // The ids starting with the same byte are at `lo..hi`.
    let mut lo = if first == 0 { 0 } else { fan[first - 1] };
    let mut hi = fan[first];
    let bytes = id.as_bytes();
    let key = prefix(bytes);
    let compare = |at: u32| {
        let other = index.oid_at_index(at).as_bytes();
        prefix(other).cmp(&key).then_with(|| other.cmp(bytes))
    };
    let mut steps = 0;
    while lo < hi {
        let mid = if steps < INTERPOLATION_STEPS && hi - lo > interpolate_above {
            steps += 1;
            let (low, high) = (
                prefix(index.oid_at_index(lo).as_bytes()),
                prefix(index.oid_at_index(hi - 1).as_bytes()),
            );
            if key < low || key > high {
                return None;
            }
            // `low <= key <= high`, so the guess is within `lo..hi`.
            let span = u128::from(high - low).max(1);
            lo + u32::try_from(u128::from(key - low) * u128::from(hi - 1 - lo) / span).unwrap_or(0)
        } else {
            lo + (hi - lo) / 2
        };
        match compare(mid) {
            Ordering::Less => lo = mid + 1,
            Ordering::Greater => hi = mid,
            Ordering::Equal => return Some(mid),
        }
    }
    None
}

fn open_bundle(idx: &Path, hash: gix::hash::Kind) -> Option<Bundle> {
    Bundle::at(idx, hash).ok()
}

/// Reads objects through the packs first, the object database after.
pub(crate) struct PackedObjects<'p> {
    packs: &'p Packs,
    fallback: gix::OdbHandle,
    cache: ObjectCache,
    /// Where recently read objects are: a tree is read twice within a few
    /// commits (as a commit's tree, then as its child's parent tree), and
    /// the second look-up in a large pack index costs a cache miss per step.
    located: Generations<ObjectId, Location>,
    inflate: gix::zlib::Inflate,
    /// The delta entries still to resolve, the requested one first.
    chain: Vec<pack::data::Entry>,
    /// A delta's instructions, inflated.
    delta: Vec<u8>,
    /// Where the object database writes what it finds.
    buf: Vec<u8>,
}

impl<'p> PackedObjects<'p> {
    /// A reader of `packs`, falling back to `fallback` for objects outside
    /// them. `cache_bytes` bounds the decoded objects kept.
    pub(crate) fn new(packs: &'p Packs, fallback: gix::OdbHandle, cache_bytes: usize) -> Self {
        PackedObjects {
            packs,
            fallback,
            cache: ObjectCache::new(cache_bytes),
            located: Generations::new(),
            inflate: gix::zlib::Inflate::default(),
            chain: Vec::new(),
            delta: Vec::new(),
            buf: Vec::new(),
        }
    }

    /// The object `id`, its kind and its data; `None` when the repository
    /// doesn't have it (a partial clone).
    pub(crate) fn find(&mut self, id: &oid) -> gix::Result<Option<(Kind, Shared)>> {
        let key = id.to_owned();
        if let Some((at, _)) = self.located.get(&key, |at| *at) {
            return self.read(at).map(Some);
        }
        let packs = self.packs;
        for (index, (bundle, fan)) in packs.bundles.iter().zip(&packs.fans).enumerate() {
            if let Some(idx) = lookup(&bundle.index, fan, id) {
                let at = Location {
                    bundle: index,
                    pack_offset: bundle.index.pack_offset_at_index(idx),
                };
                if self.located.young_len() >= LOCATED_PER_GENERATION {
                    self.located.rotate();
                }
                self.located.insert(key, at);
                return self.read(at).map(Some);
            }
        }
        Ok(self
            .fallback
            .try_find(id, &mut self.buf)?
            .map(|data| (data.kind, Rc::new(data.data.to_vec()))))
    }

    /// An object's size, read from its pack entry without decoding the
    /// object: the entry's header, or for a delta the start of its
    /// instructions. `None` when the packs can't tell (the object is not in
    /// them, or the instructions don't start where expected): the object
    /// database is the caller's fallback.
    pub(crate) fn size(&self, id: &oid) -> Option<u64> {
        let packs = self.packs;
        let (bundle, at) = packs
            .bundles
            .iter()
            .zip(&packs.fans)
            .find_map(|(bundle, fan)| Some((bundle, lookup(&bundle.index, fan, id)?)))?;
        let pack = &bundle.pack;
        let entry = pack.entry(bundle.index.pack_offset_at_index(at)).ok()?;
        if !entry.header.is_delta() {
            return Some(entry.decompressed_size);
        }
        // A delta's instructions start with its base's size and its
        // result's; a kilobyte of compressed data holds the block header
        // and those first bytes.
        let end = entry
            .data_offset
            .saturating_add(1024)
            .min(u64::try_from(pack.data_len()).ok()?);
        let input = pack.entry_slice(entry.data_offset..end)?;
        let mut out = [0u8; 32];
        let mut inflate = flate2::Decompress::new(true);
        // Partial output is all that is needed: the error of a stream
        // cut short is expected.
        let _ = inflate.decompress(input, &mut out, flate2::FlushDecompress::None);
        let produced = usize::try_from(inflate.total_out()).ok()?;
        let mut header = out.get(..produced)?;
        delta_size(&mut header).ok()?;
        delta_size(&mut header).ok().and_then(|n| u64::try_from(n).ok())
    }

    /// Decodes the entry at `at`.
    fn read(&mut self, at: Location) -> gix::Result<(Kind, Shared)> {
        if let Some(hit) = self.cache.get(at.bundle, at.pack_offset) {
            return Ok(hit);
        }
        let packs = self.packs;
        let bundle = packs
            .bundles
            .get(at.bundle)
            .ok_or_else(|| gix::error::message("an object's pack is not open"))?;
        let pack = &bundle.pack;
        // Down the chain by headers alone, to a cached object or a base.
        self.chain.clear();
        let mut cursor = pack.entry(at.pack_offset)?;
        let (kind, mut object) = loop {
            match cursor.header {
                Header::OfsDelta { base_distance } => {
                    let base = cursor
                        .checked_base_pack_offset(base_distance)
                        .filter(|base| *base < cursor.pack_offset())
                        .ok_or_else(|| gix::error::message("a delta's base lies outside the pack"))?;
                    self.chain.push(cursor);
                    if let Some(hit) = self.cache.get(at.bundle, base) {
                        break hit;
                    }
                    cursor = pack.entry(base)?;
                }
                // A base named by id: rare in a repository's own packs
                // (thin packs are completed when they are fetched), so
                // gix's decoder resolves the whole chain.
                Header::RefDelta { .. } => return self.read_by_id_deltas(bundle, at),
                header => {
                    let kind = header
                        .as_kind()
                        .ok_or_else(|| gix::error::message("a pack entry of unknown kind"))?;
                    let mut data = Vec::new();
                    inflate_entry(pack, &cursor, &mut self.inflate, &mut data)?;
                    let data = Rc::new(data);
                    self.cache.put(at.bundle, cursor.pack_offset(), kind, &data);
                    break (kind, data);
                }
            }
        };
        // Up the chain, one delta at a time, keeping every object on the way.
        while let Some(entry) = self.chain.pop() {
            inflate_entry(pack, &entry, &mut self.inflate, &mut self.delta)?;
            object = Rc::new(apply_delta(&object, &self.delta)?);
            self.cache.put(at.bundle, entry.pack_offset(), kind, &object);
        }
        Ok((kind, object))
    }

    /// Decodes the entry at `at` with gix's decoder, which resolves bases
    /// named by id; only the object asked for is cached.
    fn read_by_id_deltas(&mut self, bundle: &Bundle, at: Location) -> gix::Result<(Kind, Shared)> {
        let pack = &bundle.pack;
        let resolve = |id: &oid, _: &mut Vec<u8>| -> gix::Result<Option<ResolvedBase>> {
            bundle
                .index
                .lookup(id)
                .map(|idx| {
                    pack.entry(bundle.index.pack_offset_at_index(idx))
                        .map(ResolvedBase::InPack)
                })
                .transpose()
        };
        let mut out = Vec::new();
        let entry = pack.entry(at.pack_offset)?;
        let outcome = pack.decode_entry(entry, &mut out, &mut self.inflate, &resolve, &mut pack::cache::Never)?;
        let object = Rc::new(out);
        self.cache.put(at.bundle, at.pack_offset, outcome.kind, &object);
        Ok((outcome.kind, object))
    }
}

/// Inflates `entry`'s data (a full object, or a delta's instructions) into
/// `out`.
fn inflate_entry(
    pack: &pack::data::File,
    entry: &pack::data::Entry,
    inflate: &mut gix::zlib::Inflate,
    out: &mut Vec<u8>,
) -> gix::Result<()> {
    let size = usize::try_from(entry.decompressed_size)
        .map_err(|_| gix::error::message("a pack entry too large for this machine"))?;
    out.clear();
    out.try_reserve_exact(size)
        .map_err(|_| gix::error::message("a pack entry too large to hold in memory"))?;
    out.resize(size, 0);
    pack.decompress_entry(entry, inflate, out)?;
    Ok(())
}

/// A size in a delta's header: 7 bits a byte, least significant first.
fn delta_size(data: &mut &[u8]) -> gix::Result<usize> {
    let mut size: u64 = 0;
    let mut shift = 0;
    loop {
        let (&byte, rest) = data
            .split_first()
            .ok_or_else(|| gix::error::message("a delta's header is cut short"))?;
        *data = rest;
        if shift > 56 {
            return Err(gix::error::message("a delta's header states an impossible size").into());
        }
        size |= u64::from(byte & 0x7f) << shift;
        shift += 7;
        if byte & 0x80 == 0 {
            break;
        }
    }
    usize::try_from(size).map_err(|_| gix::error::message("a delta's result too large for this machine").into())
}

/// Applies a delta's instructions to `base` (git's format: copies from the
/// base and literal inserts), checking every bound.
fn apply_delta(base: &[u8], delta: &[u8]) -> gix::Result<Vec<u8>> {
    let corrupt = || gix::error::message("a corrupt delta in the pack");
    let mut data = delta;
    if delta_size(&mut data)? != base.len() {
        return Err(gix::error::message("a delta's base has the wrong size").into());
    }
    let size = delta_size(&mut data)?;
    let mut out = Vec::new();
    out.try_reserve_exact(size)
        .map_err(|_| gix::error::message("a delta's result too large to hold in memory"))?;
    while let Some((&op, rest)) = data.split_first() {
        data = rest;
        if op & 0x80 != 0 {
            // Copy: bits 0-3 say which of four offset bytes follow, bits
            // 4-6 which of three size bytes, least significant first.
            let (mut offset, mut len) = (0usize, 0usize);
            for i in 0..7 {
                if op & (1 << i) != 0 {
                    let (&byte, rest) = data.split_first().ok_or_else(corrupt)?;
                    data = rest;
                    if i < 4 {
                        offset |= usize::from(byte) << (8 * i);
                    } else {
                        len |= usize::from(byte) << (8 * (i - 4));
                    }
                }
            }
            if len == 0 {
                len = 0x10000;
            }
            let copied = offset
                .checked_add(len)
                .and_then(|end| base.get(offset..end))
                .ok_or_else(corrupt)?;
            if out.len() + copied.len() > size {
                return Err(corrupt().into());
            }
            out.extend_from_slice(copied);
        } else if op != 0 {
            // Insert: the next `op` bytes, as they are.
            let n = usize::from(op);
            let inserted = data.get(..n).ok_or_else(corrupt)?;
            if out.len() + n > size {
                return Err(corrupt().into());
            }
            out.extend_from_slice(inserted);
            data = &data[n..];
        } else {
            return Err(corrupt().into());
        }
    }
    if out.len() != size {
        return Err(corrupt().into());
    }
    Ok(out)
}

/// Where an object's entry is.
#[derive(Debug, Clone, Copy)]
struct Location {
    bundle: usize,
    pack_offset: u64,
}

/// Object locations remembered per generation.
const LOCATED_PER_GENERATION: usize = 16 * 1024;

/// Hashes integers and object ids (already uniformly distributed) with one
/// multiplication instead of SipHash: these maps are looked up for every
/// object read.
#[derive(Default, Clone, Copy)]
struct Mix(u64);

impl Hasher for Mix {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8).take(2) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

type MixMap<K, V> = HashMap<K, V, BuildHasherDefault<Mix>>;

/// A least-recently-used approximation in two generations: entries go
/// to the young one; when the owner decides it is full it becomes the old
/// one (and the old one's entries are dropped); an entry read from the old
/// generation moves back to the young. Every operation is a hash look-up or
/// two, with no list to maintain.
struct Generations<K, V> {
    young: MixMap<K, V>,
    old: MixMap<K, V>,
}

impl<K: std::hash::Hash + Eq + Clone, V> Generations<K, V> {
    fn new() -> Self {
        Generations {
            young: MixMap::default(),
            old: MixMap::default(),
        }
    }

    /// What `read` makes of the entry, and whether the entry moved from
    /// the old generation; one look-up when it is in the young one.
    fn get<R>(&mut self, key: &K, read: impl FnOnce(&V) -> R) -> Option<(R, bool)> {
        if let Some(value) = self.young.get(key) {
            return Some((read(value), false));
        }
        let value = self.old.remove(key)?;
        let found = read(&value);
        self.young.insert(key.clone(), value);
        Some((found, true))
    }

    fn insert(&mut self, key: K, value: V) {
        self.young.insert(key, value);
    }

    fn young_len(&self) -> usize {
        self.young.len()
    }

    /// Starts a new generation, dropping the oldest (whose table is kept
    /// for the new one, instead of growing a new table entry by entry).
    fn rotate(&mut self) {
        std::mem::swap(&mut self.young, &mut self.old);
        self.young.clear();
    }
}

/// A decoded object in the cache.
struct Cached {
    data: Shared,
    kind: Kind,
}

/// Decoded objects by pack and entry, bounded by their bytes.
struct ObjectCache {
    entries: Generations<(usize, u64), Cached>,
    /// Bytes in the young generation, and the most it may hold.
    young_bytes: usize,
    bytes_per_generation: usize,
}

impl ObjectCache {
    fn new(bytes: usize) -> Self {
        ObjectCache {
            entries: Generations::new(),
            young_bytes: 0,
            bytes_per_generation: (bytes / 2).max(1),
        }
    }

    fn put(&mut self, bundle: usize, offset: u64, kind: Kind, data: &Shared) {
        if data.len() > self.bytes_per_generation {
            return;
        }
        if self.young_bytes + data.len() > self.bytes_per_generation {
            self.entries.rotate();
            self.young_bytes = 0;
        }
        self.young_bytes += data.len();
        self.entries.insert(
            (bundle, offset),
            Cached {
                data: Rc::clone(data),
                kind,
            },
        );
    }

    fn get(&mut self, bundle: usize, offset: u64) -> Option<(Kind, Shared)> {
        let (found, moved) = self
            .entries
            .get(&(bundle, offset), |cached| (cached.kind, Rc::clone(&cached.data)))?;
        if moved {
            self.young_bytes += found.1.len();
        }
        Some(found)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use gix::objs::Find;

    use super::super::test_repo::{fast_import, git};
    use super::*;

    /// 120 commits, each changing one of 30 files in 3 folders: every
    /// folder's tree gets a long delta chain.
    fn build(dir: &Path) {
        std::fs::create_dir_all(dir).expect("dir");
        git(dir, &["init", "-q", "-b", "main"]);
        let mut stream = Vec::new();
        for c in 0..120u32 {
            let t = 1_700_000_000 + c * 3600;
            write!(
                stream,
                "commit refs/heads/main\ncommitter A <a@example.org> {t} +0000\ndata 5\nc{c:03}\n"
            )
            .expect("write");
            let files: Vec<u32> = if c == 0 { (0..30).collect() } else { vec![(c * 7) % 30] };
            for f in files {
                let body = format!("file {f} version {c}\n");
                write!(
                    stream,
                    "M 100644 inline dir{}/file{f}.txt\ndata {}\n{body}",
                    f % 3,
                    body.len()
                )
                .expect("write");
            }
            writeln!(stream).expect("write");
        }
        fast_import(dir, &stream);
    }

    fn pack_index(dir: &Path) -> String {
        std::fs::read_dir(dir.join(".git/objects/pack"))
            .expect("packs")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.extension().is_some_and(|e| e == "idx"))
            .expect("an index")
            .display()
            .to_string()
    }

    /// Every object read through the packs, in the given order, is the
    /// object gix's database returns.
    fn check_all(dir: &Path, newest_first: bool) {
        // A cache that holds everything, and one so small that it keeps
        // dropping generations and some objects don't fit at all.
        for cache_bytes in [1 << 20, 1500] {
            check_with_cache(dir, newest_first, cache_bytes);
        }
    }

    fn check_with_cache(dir: &Path, newest_first: bool, cache_bytes: usize) {
        let repo = gix::open(dir).expect("open");
        let packs = Packs::open(&repo);
        assert!(!packs.bundles.is_empty(), "the repository is packed");
        let mut objects = PackedObjects::new(&packs, repo.objects.clone(), cache_bytes);
        let listed = git(dir, &["rev-list", "--objects", "--all"]);
        let mut ids: Vec<gix::ObjectId> = listed
            .lines()
            .map(|l| gix::ObjectId::from_hex(&l.as_bytes()[..40]).expect("id"))
            .collect();
        if !newest_first {
            ids.reverse();
        }
        // Our index search finds what gix's does, present or not.
        let mut probes = ids.clone();
        for byte in [0x00, 0x7f, 0xff] {
            probes.push(gix::ObjectId::from_bytes_or_panic(&[byte; 20]));
        }
        // Ids next to the real ones, differing in their last byte or in
        // the first eight.
        for id in &ids {
            for at in [19, 7] {
                let mut near = id.as_bytes().to_vec();
                near[at] ^= 1;
                probes.push(gix::ObjectId::from_bytes_or_panic(&near));
            }
        }
        for id in &probes {
            for (bundle, fan) in packs.bundles.iter().zip(&packs.fans) {
                let expected = bundle.index.lookup(id);
                assert_eq!(lookup(&bundle.index, fan, id), expected, "{id}");
                assert_eq!(search(&bundle.index, fan, id, 1), expected, "{id}");
            }
        }
        // Sizes read from entries (deltas included) are the objects' sizes.
        let mut from_entries = 0;
        for id in &ids {
            if let Some(size) = objects.size(id) {
                assert_eq!(size, repo.find_header(*id).expect("header").size(), "{id}");
                from_entries += 1;
            }
        }
        // All but the second test's loose commit, its tree and new file.
        assert!(from_entries + 3 >= ids.len(), "{from_entries} of {}", ids.len());
        let mut theirs = Vec::new();
        for id in &ids {
            let (kind, data) = objects.find(id).expect("read").expect("found");
            let b = repo.objects.try_find(id, &mut theirs).expect("read").expect("found");
            assert_eq!((kind, data.as_slice()), (b.kind, b.data), "object {id}");
        }
        // Twice: the second pass reads from the cache.
        for id in ids.iter().take(50) {
            let (kind, data) = objects.find(id).expect("read").expect("found");
            assert_eq!(
                gix::objs::compute_hash(gix::hash::Kind::Sha1, kind, &data).expect("hash"),
                *id
            );
        }
        // An object the repository doesn't have.
        let missing = gix::ObjectId::from_hex(b"0123456789012345678901234567890123456789").expect("id");
        assert!(objects.find(&missing).expect("read").is_none());
    }

    #[test]
    fn deltas_apply_and_corrupt_ones_are_errors() {
        let base = b"hello, world";
        // base size 12, result size 11: copy "hello" (offset 0, size 5),
        // insert " git", copy "ld" (offset 10, size 2).
        let delta = [12, 11, 0x90, 5, 4, b' ', b'g', b'i', b't', 0x91, 10, 2];
        assert_eq!(apply_delta(base, &delta).expect("delta"), b"hello gitld");
        // A size of zero copies 0x10000 bytes.
        let big = vec![7u8; 0x10000];
        let delta = [0x80, 0x80, 0x04, 0x80, 0x80, 0x04, 0x80];
        assert_eq!(apply_delta(&big, &delta).expect("delta"), big);
        for corrupt in [
            &[11, 5, 0x90, 5][..],                                             // wrong base size
            &[12, 6, 0x90, 5][..],                                             // result shorter than stated
            &[12, 5, 0x90, 6][..],                                             // result longer than stated
            &[12, 20, 0x91, 10, 5][..],                                        // copy past the base's end
            &[12, 5, 0x91][..],                                                // copy cut short
            &[12, 5, 4, b'a'][..],                                             // insert cut short
            &[12, 5, 0][..],                                                   // reserved instruction
            &[12][..],                                                         // header cut short
            &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff][..], // size overflow
        ] {
            assert!(apply_delta(base, corrupt).is_err(), "{corrupt:?}");
        }
    }

    #[test]
    fn chains_from_old_to_new_read_the_same_in_both_directions() {
        let tmp = tempfile::tempdir().expect("tmp");
        build(tmp.path());
        // fast-import stores each tree as a delta of its previous version.
        let verify = git(tmp.path(), &["verify-pack", "-v", &pack_index(tmp.path())]);
        assert!(verify.contains("chain length = 30"), "{verify}");
        check_all(tmp.path(), true);
        check_all(tmp.path(), false);
    }

    #[test]
    fn recomputed_chains_and_loose_objects_read_the_same() {
        let tmp = tempfile::tempdir().expect("tmp");
        build(tmp.path());
        // Chains recomputed by git (newest objects as bases), plus a loose
        // commit on top that only the object database has.
        git(tmp.path(), &["repack", "-adfq", "--depth=50", "--window=10"]);
        git(tmp.path(), &["reset", "-q", "--hard", "main"]);
        std::fs::write(tmp.path().join("new.txt"), "new\n").expect("write");
        git(tmp.path(), &["add", "new.txt"]);
        git(
            tmp.path(),
            &[
                "-c",
                "user.name=A",
                "-c",
                "user.email=a@example.org",
                "commit",
                "-qm",
                "loose",
            ],
        );
        check_all(tmp.path(), true);
        check_all(tmp.path(), false);
    }
}
