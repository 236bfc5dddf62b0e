//! Typed indices: a profile's index cannot name a permission set. Each id
//! is the position of its component in the list the org model (or the
//! integrations) keep in discovery order, so ids order as positions do.

use std::marker::PhantomData;

/// An index into one kind of list.
pub trait Id: Copy {
    fn from_index(index: usize) -> Self;
    fn index(self) -> usize;
}

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(u32);

        impl Id for $name {
            fn from_index(index: usize) -> Self {
                $name(u32::try_from(index).expect("fewer than 2^32 components of a kind"))
            }

            fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id! {
    /// A profile: its place in `Org::profiles`.
    ProfileId
}
id! {
    /// A permission set: its place in `Org::permission_sets`.
    PermissionSetId
}
id! {
    /// A permission set group: its place in `Org::groups`.
    GroupId
}
id! {
    /// A muting permission set: its place in `Org::muting_sets`.
    MutingSetId
}
id! {
    /// A connected app or External Client App: its place in `Org::apps`.
    AppId
}
id! {
    /// An integration: its place in `Integrations::list`.
    IntegrationId
}

/// A list indexed by a typed id: the org's components of one kind, or a
/// table with one entry per component (`IdVec<ProfileId, bool>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdVec<I, T> {
    items: Vec<T>,
    id: PhantomData<fn(I) -> I>,
}

impl<I, T> Default for IdVec<I, T> {
    fn default() -> Self {
        IdVec {
            items: Vec::new(),
            id: PhantomData,
        }
    }
}

impl<I: Id, T> IdVec<I, T> {
    /// One entry per id below `len`, in order.
    pub fn from_fn(len: usize, f: impl FnMut(I) -> T) -> Self {
        (0..len).map(I::from_index).map(f).collect()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn get(&self, id: I) -> Option<&T> {
        self.items.get(id.index())
    }

    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, T> {
        self.items.iter_mut()
    }

    /// Every id, in order.
    pub fn ids(&self) -> impl DoubleEndedIterator<Item = I> + ExactSizeIterator + use<I, T> {
        (0..self.items.len()).map(I::from_index)
    }

    /// Each entry with its id, in order.
    pub fn enumerate(&self) -> impl DoubleEndedIterator<Item = (I, &T)> + ExactSizeIterator {
        self.items
            .iter()
            .enumerate()
            .map(|(i, item)| (I::from_index(i), item))
    }

    /// The id of the first entry `f` accepts.
    pub fn position(&self, f: impl FnMut(&T) -> bool) -> Option<I> {
        self.items.iter().position(f).map(I::from_index)
    }

    /// Adds an entry; its id.
    pub fn push(&mut self, item: T) -> I {
        let id = I::from_index(self.items.len());
        self.items.push(item);
        id
    }

    pub fn as_slice(&self) -> &[T] {
        &self.items
    }
}

impl<I: Id, T: Clone> IdVec<I, T> {
    /// `len` copies of `item`.
    pub fn filled(item: T, len: usize) -> Self {
        vec![item; len].into()
    }
}

impl<I, T> From<Vec<T>> for IdVec<I, T> {
    fn from(items: Vec<T>) -> Self {
        IdVec {
            items,
            id: PhantomData,
        }
    }
}

impl<I, T> FromIterator<T> for IdVec<I, T> {
    fn from_iter<It: IntoIterator<Item = T>>(iter: It) -> Self {
        Vec::from_iter(iter).into()
    }
}

impl<I: Id, T> std::ops::Index<I> for IdVec<I, T> {
    type Output = T;
    fn index(&self, id: I) -> &T {
        &self.items[id.index()]
    }
}

impl<I: Id, T> std::ops::IndexMut<I> for IdVec<I, T> {
    fn index_mut(&mut self, id: I) -> &mut T {
        &mut self.items[id.index()]
    }
}

impl<'a, I, T> IntoIterator for &'a IdVec<I, T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<I, T> IntoIterator for IdVec<I, T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_positions() {
        let mut list: IdVec<ProfileId, &str> = IdVec::default();
        let a = list.push("Admin");
        let b = list.push("Sync");
        assert!(a < b);
        assert_eq!((a.index(), b.index()), (0, 1));
        assert_eq!(list[b], "Sync");
        assert_eq!(list.ids().collect::<Vec<_>>(), [a, b]);
        assert_eq!(
            list.enumerate().collect::<Vec<_>>(),
            [(a, &"Admin"), (b, &"Sync")]
        );
        let flags: IdVec<ProfileId, bool> = IdVec::from_fn(list.len(), |p| p == b);
        assert_eq!(flags.as_slice(), [false, true]);
    }
}
