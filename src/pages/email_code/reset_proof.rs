//! "Forgot your password?" of an account with a second factor (issue 20; OWASP ASVS 5.0
//! V6.4.3, NIST SP 800-63B-4 §4.2): once the emailed code is verified, the proof the account
//! needs (the app's code, a recovery code or a passkey, `components::second_proof`) is drawn
//! between "Verify code" and New Password, which waits for it ([`Flow::proof_owed`]).
//!
//! Only `pages/forgot.rs` names [`draw`] (its [`LastStep::between`](super::LastStep)), so the
//! sign-up, which never asks a proof, does not carry this code, nor does the sign-in group's
//! WASM, which has no reset screen (issue 21, `src/groups.rs`).

use super::{flow_gone, Flow, Phase};
use crate::api;
use crate::components::second_proof::{Proven, SecondProof, Target};
use crate::i18n::Msg;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The reset's second proof and, after a recovery code, how many are left.
pub fn draw(flow: Flow) -> AnyView {
    let (ui, form) = (flow.ui, flow.form);
    // Which second proof the account needs, asked once the mailbox is proven (the server says
    // nothing before, ASVS 5.0 V6.3.8). Asked again when the flow changes (lost, then verified
    // again) or "Continue" finds the proof owed after all (`password_step.rs` forgets the
    // answer).
    let asking = StoredValue::new(false);
    Effect::new(move |_| {
        if flow.phase.get() != Phase::Verified {
            if flow.proof.with_untracked(Option::is_some) {
                flow.proof.set(None);
            }
            return;
        }
        if flow.proof.with(Option::is_some) || asking.get_value() {
            return;
        }
        let Some(flow_id) = flow.id() else {
            return;
        };
        asking.set_value(true);
        spawn_local(async move {
            let answer = api::reset_proofs(&flow_id).await;
            if asking.try_set_value(false).is_some() {
                return;
            }
            match answer {
                Ok(view) => {
                    let owed = !view.methods.is_empty() && !view.proven;
                    flow.proof.try_set(Some(view));
                    crate::ui::focus_id(if owed { "app-code" } else { "new-password" });
                }
                Err(err) => {
                    if flow_gone(&err) {
                        flow.lost();
                    }
                    form.fail(&err);
                }
            }
        });
    });
    // After the proof: a recovery code's count, said above New Password.
    let proof_left = RwSignal::new(None::<u32>);
    let proven = move |done: Proven| {
        proof_left.set(done.recovery_codes_left);
        if let Some(left) = done.recovery_codes_left {
            ui.announce(ui.f(
                Msg::RECOVERY_CODE_ACCEPTED,
                &[("count", &ui.n(left.into()))],
            ));
        }
        flow.proof.update(|p| {
            if let Some(p) = p {
                p.proven = true;
            }
        });
        crate::ui::focus_id("new-password");
    };
    view! {
        {move || {
            let owed = flow.phase.get() == Phase::Verified && flow.proof_owed();
            let view = flow.proof.get().filter(|_| owed)?;
            let flow_id = flow.id()?;
            Some(view! {
                <section class="reset-proof" aria-labelledby="reset-proof-heading">
                    <h2 id="reset-proof-heading">{ui.tr(Msg::SECOND_PROOF_HEADING)}</h2>
                    <p>{ui.tr(Msg::RESET_PROOF_TEXT)}</p>
                    <SecondProof target=Target::Reset(flow_id) methods=view.methods
                        on_done=proven />
                </section>
            })
        }}
        {move || proof_left.get().map(|left| view! {
            <p id="recovery-codes-left" class="status ok">
                {move || ui.f(Msg::RECOVERY_CODE_ACCEPTED, &[("count", &ui.n(left.into()))])}
                " "
                <a id="make-new-codes" href=crate::deployment::route("/portal")>
                    {ui.tr(Msg::MAKE_NEW_RECOVERY_CODES)}
                </a>
            </p>
        })}
    }
    .into_any()
}
