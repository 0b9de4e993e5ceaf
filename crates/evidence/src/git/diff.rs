//! Which files differ between two trees: the part of a tree diff the scan
//! needs (each changed file's path, and whether it was added), computed
//! over trees shared from the pack reader's cache ([`super::packed`])
//! rather than copied into buffers as gix's tree diff does.
//!
//! It reports the same files as gix's tree diff with the visitor the scan
//! used before (a test compares the two over every commit of a history):
//! entries are matched in git's tree order, subtrees with the same id are
//! skipped, a tree added or deleted is listed file by file, a file replaced
//! by a folder (or the reverse) is a deletion and additions (or deletions
//! and an addition), a file whose id or mode changed is a modification.
//! Only the order differs (depth first here, breadth first in gix), which
//! the scan doesn't depend on.

use std::cmp::Ordering;

use gix::bstr::{BStr, BString};
use gix::hash::oid;
use gix::objs::tree::EntryRef;
use gix::objs::{Kind, TreeRefIter};

use super::packed::{PackedObjects, Shared};

/// A diff's reusable state: the subtrees still to compare and the files
/// found.
#[derive(Default)]
pub(crate) struct TreeDiff {
    pending: Vec<Pending>,
    /// Each changed file's path and whether it was added.
    pub(crate) files: Vec<(BString, bool)>,
}

/// Two subtrees at the same path; `None` where that side has none.
struct Pending {
    lhs: Option<Shared>,
    rhs: Option<Shared>,
    path: BString,
}

impl TreeDiff {
    /// Lists in `self.files` the files that differ between the trees `lhs`
    /// and `rhs` (`None`: the empty tree), reading subtrees from `objects`.
    pub(crate) fn run(
        &mut self,
        objects: &mut PackedObjects<'_>,
        hash: gix::hash::Kind,
        lhs: Option<Shared>,
        rhs: Option<Shared>,
    ) -> gix::Result<()> {
        self.files.clear();
        self.pending.clear();
        self.pending.push(Pending {
            lhs,
            rhs,
            path: BString::default(),
        });
        while let Some(Pending { lhs, rhs, path }) = self.pending.pop() {
            let empty: &[u8] = &[];
            let path = path.as_ref();
            let mut l = parse(lhs.as_deref().map_or(empty, Vec::as_slice), hash)?;
            // The right side's unread bytes, and its next entry once parsed.
            let mut right = rhs.as_deref().map_or(empty, Vec::as_slice);
            let mut r: Option<Parsed<'_>> = None;
            loop {
                if r.is_none() {
                    // Most entries are the same on both sides: when the
                    // right side starts with the left entry's bytes (mode,
                    // name and id), both are skipped without parsing the
                    // right one or comparing further.
                    if let Some(a) = l
                        && right.starts_with(a.raw)
                    {
                        right = &right[a.raw.len()..];
                        l = parse(a.rest, hash)?;
                        continue;
                    }
                    r = parse(right, hash)?;
                    if let Some(b) = r {
                        right = b.rest;
                    }
                }
                let order = match (l, r) {
                    (None, None) => break,
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (Some(a), Some(b)) => gix::objs::tree::name_order(
                        a.entry.filename,
                        a.entry.mode.is_tree(),
                        b.entry.filename,
                        b.entry.mode.is_tree(),
                    ),
                };
                match (order, l, r) {
                    (Ordering::Less, Some(a), _) => {
                        self.deleted(objects, path, a.entry)?;
                        l = parse(a.rest, hash)?;
                    }
                    (Ordering::Greater, _, Some(b)) => {
                        self.added(objects, path, b.entry)?;
                        r = None;
                    }
                    (Ordering::Equal, Some(a), Some(b)) => {
                        self.both(objects, path, a.entry, b.entry)?;
                        l = parse(a.rest, hash)?;
                        r = None;
                    }
                    _ => break,
                }
            }
        }
        Ok(())
    }

    /// An entry only on the left: a deleted file, or a deleted folder whose
    /// files are all deleted.
    fn deleted(&mut self, objects: &mut PackedObjects<'_>, path: &BStr, entry: EntryRef<'_>) -> gix::Result<()> {
        let path = join(path, entry.filename);
        if entry.mode.is_tree() {
            let lhs = Some(subtree(objects, entry.oid)?);
            self.pending.push(Pending { lhs, rhs: None, path });
        } else {
            self.files.push((path, false));
        }
        Ok(())
    }

    /// An entry only on the right: an added file, or an added folder whose
    /// files are all added.
    fn added(&mut self, objects: &mut PackedObjects<'_>, path: &BStr, entry: EntryRef<'_>) -> gix::Result<()> {
        let path = join(path, entry.filename);
        if entry.mode.is_tree() {
            let rhs = Some(subtree(objects, entry.oid)?);
            self.pending.push(Pending { lhs: None, rhs, path });
        } else {
            self.files.push((path, true));
        }
        Ok(())
    }

    /// An entry of the same name on both sides.
    fn both(
        &mut self,
        objects: &mut PackedObjects<'_>,
        path: &BStr,
        a: EntryRef<'_>,
        b: EntryRef<'_>,
    ) -> gix::Result<()> {
        match (a.mode.is_tree(), b.mode.is_tree()) {
            (true, true) => {
                // The same id: the whole subtree is the same.
                if a.oid != b.oid {
                    let lhs = Some(subtree(objects, a.oid)?);
                    let rhs = Some(subtree(objects, b.oid)?);
                    self.pending.push(Pending {
                        lhs,
                        rhs,
                        path: join(path, a.filename),
                    });
                }
            }
            (false, true) => {
                let path = join(path, a.filename);
                self.files.push((path.clone(), false));
                let rhs = Some(subtree(objects, b.oid)?);
                self.pending.push(Pending { lhs: None, rhs, path });
            }
            (true, false) => {
                let path = join(path, a.filename);
                self.files.push((path.clone(), true));
                let lhs = Some(subtree(objects, a.oid)?);
                self.pending.push(Pending { lhs, rhs: None, path });
            }
            (false, false) => {
                if a.oid != b.oid || a.mode != b.mode {
                    self.files.push((join(path, a.filename), false));
                }
            }
        }
        Ok(())
    }
}

/// A tree entry, its bytes, and the bytes after it.
#[derive(Clone, Copy)]
struct Parsed<'a> {
    entry: EntryRef<'a>,
    raw: &'a [u8],
    rest: &'a [u8],
}

/// The first entry of a tree's `data`, parsed by gix; a malformed entry is
/// an error.
fn parse(data: &[u8], hash: gix::hash::Kind) -> gix::Result<Option<Parsed<'_>>> {
    let Some(entry) = TreeRefIter::from_bytes(data, hash)
        .next()
        .transpose()
        .map_err(|e| gix::error::message!("a malformed tree: {e}"))?
    else {
        return Ok(None);
    };
    // The entry is `<mode> <name>\0<id>`, its name a slice of `data`.
    let name_at = (entry.filename.as_ptr() as usize).wrapping_sub(data.as_ptr() as usize);
    let len = name_at + entry.filename.len() + 1 + entry.oid.as_bytes().len();
    let (raw, rest) = data
        .split_at_checked(len)
        .ok_or_else(|| gix::error::message("a malformed tree: an entry runs past its end"))?;
    Ok(Some(Parsed { entry, raw, rest }))
}

/// A subtree, which must exist and be a tree.
fn subtree(objects: &mut PackedObjects<'_>, id: &oid) -> gix::Result<Shared> {
    match objects.find(id)? {
        Some((Kind::Tree, data)) => Ok(data),
        Some((kind, _)) => Err(gix::error::message!("{id} is a {kind}, not a tree").into()),
        None => Err(gix::error::message!("tree {id} is missing").into()),
    }
}

/// `path/name` (just `name` at the top, and `path` for an empty name, as
/// gix's diff delegate builds them).
fn join(path: &BStr, name: &BStr) -> BString {
    let mut joined = BString::from(path.to_vec());
    if !name.is_empty() {
        if !joined.is_empty() {
            joined.push(b'/');
        }
        joined.extend_from_slice(name);
    }
    joined
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::path::Path;

    use gix::bstr::ByteSlice;
    use gix::hash::ObjectId;
    use gix::objs::FindExt;

    use super::super::packed::Packs;
    use super::super::test_repo::{fast_import, git};
    use super::*;

    /// The visitor the scan used with gix's tree diff: the reference.
    #[derive(Default)]
    struct Changes {
        path: BString,
        queue: std::collections::VecDeque<BString>,
        files: Vec<(BString, bool)>,
    }

    impl Changes {
        fn push_element(&mut self, name: &BStr) {
            if name.is_empty() {
                return;
            }
            if !self.path.is_empty() {
                self.path.push(b'/');
            }
            self.path.extend_from_slice(name);
        }
    }

    impl gix::diff::tree::Visit for Changes {
        fn pop_front_tracked_path_and_set_current(&mut self) {
            self.path = self.queue.pop_front().unwrap_or_default();
        }

        fn push_back_tracked_path_component(&mut self, component: &BStr) {
            self.push_element(component);
            self.queue.push_back(self.path.clone());
        }

        fn push_path_component(&mut self, component: &BStr) {
            self.push_element(component);
        }

        fn pop_path_component(&mut self) {
            match self.path.rfind_byte(b'/') {
                Some(pos) => self.path.truncate(pos),
                None => self.path.clear(),
            }
        }

        fn visit(&mut self, change: gix::diff::tree::visit::Change) -> gix::diff::tree::visit::Action {
            use gix::diff::tree::visit::Change;
            let (mode, added) = match change {
                Change::Addition { entry_mode, .. } => (entry_mode, true),
                Change::Deletion { entry_mode, .. } => (entry_mode, false),
                Change::Modification { entry_mode, .. } => (entry_mode, false),
            };
            if !mode.is_tree() {
                self.files.push((self.path.clone(), added));
            }
            std::ops::ControlFlow::Continue(())
        }
    }

    /// Commits that exercise every case: files and folders added, deleted
    /// and modified, a file replaced by a folder and back, names that sort
    /// differently as files and as folders (`a`, `a.b`, `a-c/`, `a/`), mode
    /// changes, symbolic links, submodules, a folder emptied and a merge.
    fn build(dir: &Path) {
        std::fs::create_dir_all(dir).expect("dir");
        git(dir, &["init", "-q", "-b", "main"]);
        let sub = |n: u32| format!("{n:040x}");
        let steps: Vec<Vec<String>> = vec![
            vec![
                "M 100644 inline a".into(),
                "M 100644 inline a.b".into(),
                "M 100644 inline a-c/x".into(),
                "M 100644 inline b/c/d.txt".into(),
                "M 100644 inline b/c/e.txt".into(),
                "M 100644 inline b/f".into(),
                "M 120000 inline link".into(),
                "M 100755 inline exe".into(),
                format!("M 160000 {} sub", sub(1)),
            ],
            vec!["D a".into(), "M 100644 inline a/inner".into()],
            vec!["M 100644 inline exe".into(), "M 100644 inline b/c/d.txt".into()],
            vec!["D b".into()],
            vec!["D a-c".into(), "M 100644 inline a-c".into()],
            vec!["M 100644 inline n/o/p/q.txt".into(), "M 100644 inline n/r".into()],
            vec![format!("M 160000 {} sub", sub(2)), "M 120000 inline link".into()],
            vec!["D a".into(), "M 100644 inline a".into(), "M 100644 inline a.b/z".into()],
            vec![
                "deleteall".into(),
                "M 100644 inline a".into(),
                "M 100644 inline z/y/x".into(),
            ],
            vec![],
        ];
        let mut stream = Vec::new();
        for (c, ops) in steps.iter().enumerate() {
            let t = 1_700_000_000 + c * 3600;
            let branch = if c == 6 { "side" } else { "main" };
            write!(
                stream,
                "commit refs/heads/{branch}\nmark :{}\ncommitter A <a@example.org> {t} +0000\ndata 3\nc{c:01}\n",
                c + 1
            )
            .expect("write");
            // Commit 7 branches off commit 6 as `side`; 8 continues main
            // from 6 and 9 merges `side` into it.
            if c == 7 {
                writeln!(stream, "from :6").expect("write");
            } else if c == 8 {
                writeln!(stream, "from :8\nmerge :7").expect("write");
            } else if c > 0 {
                writeln!(stream, "from :{c}").expect("write");
            }
            for op in ops {
                writeln!(stream, "{op}").expect("write");
                if op.contains(" inline ") {
                    let body = format!("{op} at {c}\n");
                    write!(stream, "data {}\n{body}", body.len()).expect("write");
                }
            }
            writeln!(stream).expect("write");
        }
        fast_import(dir, &stream);
    }

    #[test]
    fn reports_the_same_files_as_gix_tree_diff() {
        let tmp = tempfile::tempdir().expect("tmp");
        build(tmp.path());
        let repo = gix::open(tmp.path()).expect("open");
        let hash = repo.object_hash();
        let mut trees: Vec<ObjectId> = git(tmp.path(), &["rev-list", "--all"])
            .lines()
            .map(|l| {
                let id = ObjectId::from_hex(l.as_bytes()).expect("id");
                repo.find_commit(id).expect("commit").tree_id().expect("tree").detach()
            })
            .collect();
        trees.push(ObjectId::empty_tree(hash));
        assert!(trees.len() >= 10, "{trees:?}");
        let packs = Packs::open(&repo);
        let mut objects = PackedObjects::new(&packs, repo.objects.clone(), 1 << 20);
        let mut diff = TreeDiff::default();
        let (mut state, mut lhs_buf, mut rhs_buf) = (gix::diff::tree::State::default(), Vec::new(), Vec::new());
        let mut compared = 0;
        // Every tree against every other, both ways.
        for lhs in &trees {
            for rhs in &trees {
                let mut theirs = Changes::default();
                // The object database need not have the empty tree.
                let tree = |id: &ObjectId, buf: &'_ mut Vec<u8>| {
                    if id.is_empty_tree() {
                        buf.clear();
                    } else {
                        repo.objects.find_tree_iter(id, buf).expect("tree");
                    }
                };
                tree(lhs, &mut lhs_buf);
                tree(rhs, &mut rhs_buf);
                gix::diff::tree(
                    TreeRefIter::from_bytes(&lhs_buf, hash),
                    TreeRefIter::from_bytes(&rhs_buf, hash),
                    &mut state,
                    &repo.objects,
                    &mut theirs,
                )
                .expect("gix diff");
                let side = |id: &ObjectId, objects: &mut PackedObjects<'_>| {
                    (!id.is_empty_tree()).then(|| objects.find(id).expect("read").expect("found").1)
                };
                let (l, r) = (side(lhs, &mut objects), side(rhs, &mut objects));
                diff.run(&mut objects, hash, l, r).expect("diff");
                let mut ours = diff.files.clone();
                ours.sort();
                theirs.files.sort();
                assert_eq!(ours, theirs.files, "{lhs} → {rhs}");
                compared += usize::from(!ours.is_empty());
            }
        }
        assert!(compared > 50, "{compared}");
    }

    #[test]
    fn a_missing_subtree_is_an_error() {
        let tmp = tempfile::tempdir().expect("tmp");
        build(tmp.path());
        let repo = gix::open(tmp.path()).expect("open");
        let packs = Packs::open(&repo);
        let mut objects = PackedObjects::new(&packs, repo.objects.clone(), 1 << 20);
        // A tree whose only entry is a folder the repository doesn't have.
        let mut tree = b"40000 gone\0".to_vec();
        tree.extend_from_slice(&[0x11; 20]);
        let mut diff = TreeDiff::default();
        let err = diff
            .run(&mut objects, repo.object_hash(), None, Some(std::rc::Rc::new(tree)))
            .expect_err("missing");
        assert!(err.to_string().contains("missing"), "{err}");
    }
}
