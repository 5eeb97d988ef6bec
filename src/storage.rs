//! What survives a reload: the invitation token and the typed fields of a form (never a
//! password), in the tab's sessionStorage.

const INVITATION: &str = "partner-login.invitation";

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

pub fn get(key: &str) -> Option<String> {
    session_storage()?.get_item(key).ok().flatten()
}

pub fn set(key: &str, value: &str) {
    if let Some(storage) = session_storage() {
        let _ = storage.set_item(key, value);
    }
}

pub fn remove(key: &str) {
    if let Some(storage) = session_storage() {
        let _ = storage.remove_item(key);
    }
}

/// The invitation token the person arrived with, carried through sign-in and sign-up.
pub fn invitation() -> Option<String> {
    get(INVITATION).filter(|t| !t.is_empty())
}

pub fn set_invitation(token: &str) {
    set(INVITATION, token);
}

pub fn clear_invitation() {
    remove(INVITATION);
}
