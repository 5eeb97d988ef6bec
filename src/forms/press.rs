//! Nothing on a form moves under the pointer between a press and its release.
//!
//! Pressing a button takes the focus from the field being typed in, so the field's blur runs
//! between the press and the release. A blur that shows or hides an error moves everything
//! below it; the release then lands beside the button and the click is lost (after a wrong
//! code, "Send new code" needed two clicks). So a change a blur makes waits for the release:
//! [`after_press`] runs it at once when no pointer is pressed (the Tab key), otherwise in the
//! task after the release, once the click has been dispatched.

use leptos::ev;
use leptos::prelude::{set_timeout, window_event_listener};
use std::cell::RefCell;
use std::time::Duration;

#[derive(Default)]
struct Press {
    listening: bool,
    down: bool,
    waiting: Vec<Box<dyn FnOnce()>>,
}

thread_local! {
    static PRESS: RefCell<Press> = RefCell::default();
}

/// Runs `change` now, or, while a pointer is pressed, after its release and click. (Call
/// [`listen`] first, when the field is drawn: a press before it would go unseen.)
pub fn after_press(change: impl FnOnce() + 'static) {
    let now = PRESS.with_borrow_mut(|p| {
        if p.down {
            p.waiting.push(Box::new(change));
            None
        } else {
            Some(change)
        }
    });
    if let Some(change) = now {
        change();
    }
}

fn pressed() {
    PRESS.with_borrow_mut(|p| p.down = true);
}

fn released() {
    let waiting = PRESS.with_borrow_mut(|p| {
        p.down = false;
        std::mem::take(&mut p.waiting)
    });
    if !waiting.is_empty() {
        // The click is dispatched in the same task as the release: run after it.
        set_timeout(
            move || waiting.into_iter().for_each(|change| change()),
            Duration::ZERO,
        );
    }
}

/// Follows the pointer for the page's whole life; the first field drawn calls it (again is a
/// no-op). A touch moves the focus on its compatibility `mousedown`, after `pointerup`, hence
/// both kinds of events.
pub fn listen() {
    if PRESS.with_borrow_mut(|p| std::mem::replace(&mut p.listening, true)) {
        return;
    }
    let _ = window_event_listener(ev::pointerdown, |_| pressed());
    let _ = window_event_listener(ev::mousedown, |_| pressed());
    let _ = window_event_listener(ev::pointerup, |_| released());
    let _ = window_event_listener(ev::pointercancel, |_| released());
    let _ = window_event_listener(ev::mouseup, |_| released());
}
