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
//! Objects that are not in a pack of the repository's own object directory
//! (loose objects, alternates) come from gix's object database as before,
//! so the answers never depend on how a repository is packed.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;

use gix::hash::ObjectId;
use gix::hash::oid;
use gix::objs::Data;
use gix::odb::pack::cache::DecodeEntry;
use gix::odb::pack::data::decode::entry::ResolvedBase;
use gix::odb::pack::data::entry::Header;
use gix::odb::pack::{self, Bundle};

/// Reads objects through the packs first, the object database after.
pub(crate) struct PackedObjects {
    bundles: Vec<Bundle>,
    fallback: gix::OdbHandle,
    state: RefCell<State>,
}

struct State {
    cache: ChainCache,
    /// Where recently read objects are: a tree is read twice in a row (as
    /// a commit's tree, then as its child's parent tree), and the second
    /// look-up in a large pack index costs a cache miss per step.
    located: Generations<ObjectId, Location>,
    inflate: gix::zlib::Inflate,
    /// The delta entries still to resolve, the requested one first.
    chain: Vec<pack::data::Entry>,
    /// Where a cache probe lands; its content is not used.
    probe: Vec<u8>,
}

impl PackedObjects {
    /// Opens the packs of `repo`'s object directory; a pack that can't be
    /// opened is left to the object database. `cache_bytes` bounds the
    /// decoded objects kept.
    pub(crate) fn new(repo: &gix::Repository, cache_bytes: usize) -> Self {
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
                if let Some(bundle) = open_bundle(&path, hash)
                    // The cache is keyed by pack id (a checksum of the
                    // path): a pack whose id is taken is read the slow way.
                    && bundles.iter().all(|b| b.pack.id != bundle.pack.id)
                {
                    bundles.push(bundle);
                }
            }
        }
        PackedObjects {
            bundles,
            fallback: repo.objects.clone(),
            state: RefCell::new(State {
                cache: ChainCache::new(cache_bytes),
                located: Generations::new(),
                inflate: gix::zlib::Inflate::default(),
                chain: Vec::new(),
                probe: Vec::new(),
            }),
        }
    }

    /// Decodes the entry at `at` of `bundle` into `out`.
    fn read<'a>(&self, bundle: &Bundle, at: Location, out: &'a mut Vec<u8>) -> gix::Result<Data<'a>> {
        let pack = &bundle.pack;
        let hash = pack.object_hash();
        let mut guard = self.state.borrow_mut();
        let state = &mut *guard;
        if let Some((kind, _)) = state.cache.get(pack.id, at.data_offset, out) {
            return Ok(Data {
                kind,
                object_hash: hash,
                data: out.as_slice(),
            });
        }
        let top = pack.entry(at.pack_offset)?;
        // Down the chain by headers alone, to a cached object or a base.
        state.chain.clear();
        let mut cursor = top;
        let mut below_is_cached = false;
        while let Header::OfsDelta { base_distance } = cursor.header {
            let base = cursor
                .checked_base_pack_offset(base_distance)
                .filter(|base| *base < cursor.pack_offset())
                .ok_or_else(|| gix::error::message("a delta's base lies outside the pack"))?;
            let next = pack.entry(base)?;
            state.chain.push(cursor);
            cursor = next;
            if state.cache.get(pack.id, cursor.data_offset, &mut state.probe).is_some() {
                below_is_cached = true;
                break;
            }
        }
        // `cursor` is now cached, a full object or a delta by id (resolved
        // within the pack by gix, as the object database does).
        if !below_is_cached {
            state.chain.push(cursor);
        }
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
        let mut kind = None;
        while let Some(entry) = state.chain.pop() {
            let is_base = !entry.header.is_delta();
            let data_offset = entry.data_offset;
            let outcome = pack.decode_entry(entry, out, &mut state.inflate, &resolve, &mut state.cache)?;
            if is_base {
                // gix caches the deltas it resolves, not full objects.
                state
                    .cache
                    .put(pack.id, data_offset, out, outcome.kind, outcome.compressed_size);
            }
            kind = Some(outcome.kind);
        }
        let kind = kind.ok_or_else(|| gix::error::message("an empty delta chain"))?;
        Ok(Data {
            kind,
            object_hash: hash,
            data: out.as_slice(),
        })
    }
}

fn open_bundle(idx: &Path, hash: gix::hash::Kind) -> Option<Bundle> {
    Bundle::at(idx, hash).ok()
}

impl gix::objs::Find for PackedObjects {
    fn try_find<'a>(&self, id: &oid, buffer: &'a mut Vec<u8>) -> gix::Result<Option<Data<'a>>> {
        let known = self.state.borrow_mut().located.get(&id.to_owned()).map(|(at, _)| *at);
        if let Some(at) = known
            && let Some(bundle) = self.bundles.get(at.bundle)
        {
            return self.read(bundle, at, buffer).map(Some);
        }
        for (index, bundle) in self.bundles.iter().enumerate() {
            if let Some(idx) = bundle.index.lookup(id) {
                let pack_offset = bundle.index.pack_offset_at_index(idx);
                let data_offset = bundle.pack.entry(pack_offset)?.data_offset;
                let at = Location {
                    bundle: index,
                    pack_offset,
                    data_offset,
                };
                let mut state = self.state.borrow_mut();
                if state.located.young_len() >= LOCATED_PER_GENERATION {
                    state.located.rotate();
                }
                state.located.insert(id.to_owned(), at);
                drop(state);
                return self.read(bundle, at, buffer).map(Some);
            }
        }
        self.fallback.try_find(id, buffer)
    }
}

/// Where an object's entry is.
#[derive(Debug, Clone, Copy)]
struct Location {
    bundle: usize,
    pack_offset: u64,
    data_offset: u64,
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

    /// The entry and whether it moved from the old generation.
    fn get(&mut self, key: &K) -> Option<(&V, bool)> {
        let mut moved = false;
        if !self.young.contains_key(key)
            && let Some(value) = self.old.remove(key)
        {
            self.young.insert(key.clone(), value);
            moved = true;
        }
        self.young.get(key).map(|v| (v, moved))
    }

    fn insert(&mut self, key: K, value: V) {
        self.young.insert(key, value);
    }

    fn young_len(&self) -> usize {
        self.young.len()
    }

    /// Starts a new generation; returns the entries dropped.
    fn rotate(&mut self) -> MixMap<K, V> {
        let young = std::mem::take(&mut self.young);
        std::mem::replace(&mut self.old, young)
    }
}

/// A decoded object in the delta cache.
struct Cached {
    data: Vec<u8>,
    kind: gix::objs::Kind,
    compressed_size: usize,
}

/// Decoded objects by pack and entry, bounded by their bytes: the cache
/// gix's pack decoder reads bases from and writes results to.
struct ChainCache {
    entries: Generations<(u32, u64), Cached>,
    /// Bytes in the young generation, and the most it may hold.
    young_bytes: usize,
    bytes_per_generation: usize,
    /// Buffers of dropped entries, reused for new ones.
    spare: Vec<Vec<u8>>,
}

/// Buffers kept for reuse.
const SPARE_BUFFERS: usize = 4096;

impl ChainCache {
    fn new(bytes: usize) -> Self {
        ChainCache {
            entries: Generations::new(),
            young_bytes: 0,
            bytes_per_generation: (bytes / 2).max(1),
            spare: Vec::new(),
        }
    }
}

impl DecodeEntry for ChainCache {
    fn put(&mut self, pack_id: u32, offset: u64, data: &[u8], kind: gix::objs::Kind, compressed_size: usize) {
        if data.len() > self.bytes_per_generation {
            return;
        }
        if self.young_bytes + data.len() > self.bytes_per_generation {
            for (_, cached) in self.entries.rotate() {
                if self.spare.len() < SPARE_BUFFERS {
                    self.spare.push(cached.data);
                }
            }
            self.young_bytes = 0;
        }
        let mut buf = self.spare.pop().unwrap_or_default();
        buf.clear();
        buf.extend_from_slice(data);
        self.young_bytes += buf.len();
        self.entries.insert(
            (pack_id, offset),
            Cached {
                data: buf,
                kind,
                compressed_size,
            },
        );
    }

    fn get(&mut self, pack_id: u32, offset: u64, out: &mut Vec<u8>) -> Option<(gix::objs::Kind, usize)> {
        let (cached, moved) = self.entries.get(&(pack_id, offset))?;
        out.clear();
        out.extend_from_slice(&cached.data);
        let found = (cached.kind, cached.compressed_size);
        if moved {
            self.young_bytes += out.len();
        }
        Some(found)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::process::{Command, Stdio};

    use gix::objs::Find;

    use super::*;

    fn git(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git").arg("-C").arg(dir).args(args).output().expect("git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    }

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
        let mut child = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["fast-import", "--quiet"])
            .stdin(Stdio::piped())
            .spawn()
            .expect("fast-import");
        child.stdin.take().expect("stdin").write_all(&stream).expect("stream");
        assert!(child.wait().expect("wait").success());
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
        let objects = PackedObjects::new(&repo, cache_bytes);
        assert!(!objects.bundles.is_empty(), "the repository is packed");
        let listed = git(dir, &["rev-list", "--objects", "--all"]);
        let mut ids: Vec<gix::ObjectId> = listed
            .lines()
            .map(|l| gix::ObjectId::from_hex(&l.as_bytes()[..40]).expect("id"))
            .collect();
        if !newest_first {
            ids.reverse();
        }
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for id in &ids {
            let a = objects.try_find(id, &mut ours).expect("read").expect("found");
            let (kind, data) = (a.kind, a.data.to_vec());
            let b = repo.objects.try_find(id, &mut theirs).expect("read").expect("found");
            assert_eq!((kind, data.as_slice()), (b.kind, b.data), "object {id}");
        }
        // Twice: the second pass reads from the cache.
        for id in ids.iter().take(50) {
            let a = objects.try_find(id, &mut ours).expect("read").expect("found");
            assert_eq!(
                gix::objs::compute_hash(gix::hash::Kind::Sha1, a.kind, a.data).expect("hash"),
                *id
            );
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
