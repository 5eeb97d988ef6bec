use crate::components::card::{page_title, Card};
use crate::i18n::Msg;
use crate::ui::use_ui;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    let ui = use_ui();
    page_title(move || ui.t(Msg::NOT_FOUND_HEADING).to_owned());
    view! {
        <Card>
            <h1>{ui.tr(Msg::NOT_FOUND_HEADING)}</h1>
            <p><a href=crate::deployment::route("/")>{ui.tr(Msg::BACK_TO_SIGN_IN)}</a></p>
        </Card>
    }
}
