//! The page shown when the deployment's `config.json` is missing or broken: the person is told
//! the page is not set up, in their language, with the detail an operator needs.

use crate::deployment::ConfigProblem;
use crate::i18n::Msg;
use leptos::prelude::*;

#[component]
pub fn ConfigError(problem: ConfigProblem) -> impl IntoView {
    let lang = crate::ui::initial_lang();
    let (msg, detail) = match problem {
        ConfigProblem::Missing(detail) => (Msg::CONFIG_MISSING, detail),
        ConfigProblem::Broken(detail) => (Msg::CONFIG_BROKEN, detail),
    };
    view! {
        <main class="page">
            <div class="card">
                <h1>{lang.text(Msg::PORTAL_NAME)}</h1>
                <p id="form-error" class="form-error" role="alert">{lang.text(msg)}</p>
                <p class="hint"><code>{detail}</code></p>
            </div>
        </main>
    }
}
