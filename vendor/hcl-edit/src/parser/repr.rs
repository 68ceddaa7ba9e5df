use super::prelude::*;

use crate::{Decorate, RawString, SetSpan};

pub(super) fn spanned<'a, F, O>(inner: F) -> impl ModalParser<Input<'a>, O, ContextError>
where
    F: ModalParser<Input<'a>, O, ContextError>,
    O: SetSpan,
{
    inner.with_span().map(|(mut value, span)| {
        value.set_span(span);
        value
    })
}

pub(super) fn decorated<'a, F, G, H, O1, O2, O3>(
    prefix: F,
    inner: G,
    suffix: H,
) -> impl ModalParser<Input<'a>, O2, ContextError>
where
    F: ModalParser<Input<'a>, O1, ContextError>,
    G: ModalParser<Input<'a>, O2, ContextError>,
    H: ModalParser<Input<'a>, O3, ContextError>,
    O2: Decorate + SetSpan,
{
    (prefix.span(), spanned(inner), suffix.span()).map(|(prefix, mut value, suffix)| {
        let decor = value.decor_mut();
        decor.set_prefix(RawString::from_span(prefix));
        decor.set_suffix(RawString::from_span(suffix));
        value
    })
}

pub(super) fn prefix_decorated<'a, F, G, O1, O2>(
    prefix: F,
    inner: G,
) -> impl ModalParser<Input<'a>, O2, ContextError>
where
    F: ModalParser<Input<'a>, O1, ContextError>,
    G: ModalParser<Input<'a>, O2, ContextError>,
    O2: Decorate + SetSpan,
{
    (prefix.span(), spanned(inner)).map(|(prefix, mut value)| {
        value.decor_mut().set_prefix(RawString::from_span(prefix));
        value
    })
}

pub(super) fn suffix_decorated<'a, F, G, O1, O2>(
    inner: F,
    suffix: G,
) -> impl ModalParser<Input<'a>, O1, ContextError>
where
    F: ModalParser<Input<'a>, O1, ContextError>,
    G: ModalParser<Input<'a>, O2, ContextError>,
    O1: Decorate + SetSpan,
{
    (spanned(inner), suffix.span()).map(|(mut value, suffix)| {
        value.decor_mut().set_suffix(RawString::from_span(suffix));
        value
    })
}

/// driftless patch: the items of a list the parser collects (a
/// traversal's operators, a call's arguments, an array's items, a block's
/// labels), in a vector that gets room for exactly two at the first item
/// instead of the four a `Vec` takes: most such lists hold one or two, and
/// a syntax tree keeps every one of them (a `var.x` kept four 88-byte
/// operator slots for one). Longer lists grow as a `Vec` does; an empty
/// one allocates nothing.
pub(super) struct Few<T>(pub(super) Vec<T>);

impl<T> winnow::stream::Accumulate<T> for Few<T> {
    fn initial(_capacity: Option<usize>) -> Self {
        Few(Vec::new())
    }

    fn accumulate(&mut self, item: T) {
        if self.0.capacity() == 0 {
            self.0.reserve_exact(2);
        }
        self.0.push(item);
    }
}
