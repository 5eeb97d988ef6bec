//! The email-code flow of sign-up (user guide steps 3, 5 and 6) and of "Forgot your password?":
//! enter the email → code sent → email verified → done (account created, or password reset).
//! Ory Kratos's "choose method → sent email → passed challenge", as a pure state machine the
//! page renders.

use partner_login_contract::api::{EmailCodeFlowView, EmailCodeState};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Step 3: type the email, "Send verification code".
    EnterEmail,
    /// Step 5: a code is on its way; "Verify code", or "Send new code" once `resend_after`
    /// seconds have passed.
    CodeSent {
        flow_id: String,
        email: String,
        resend_after: u32,
    },
    /// Step 6: the email is verified; the rest of the form can be filled in and sent.
    Verified { flow_id: String, email: String },
    /// The flow's last step succeeded ("Create", "Continue"): the person is signed in.
    Done,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// The server sent a code (first send, or a resumed flow).
    CodeSent(EmailCodeFlowView),
    /// The server accepted the code.
    Verified(EmailCodeFlowView),
    /// "Change e-mail": start over with an editable address.
    ChangeEmail,
    /// The server no longer knows the flow (expired or unknown): start over.
    FlowLost,
    /// The last step ("Create", "Continue") succeeded.
    Completed,
    /// One second passed: the resend countdown goes down.
    Tick,
    /// The server refused a new code for now (cooldown or rate limit): wait this long.
    RetryAfter(u32),
    /// "Cancel": leave the flow.
    Cancel,
}

/// The seconds to count down for a wait the server gave in whole seconds. The server counts
/// whole seconds of its clock and the page's one-second ticks are not aligned with them, so the
/// true wait may be up to a second longer than the number: count one more, or "Send new code"
/// can come back enabled a moment before the server accepts it.
fn countdown(server_seconds: u32) -> u32 {
    if server_seconds == 0 {
        0
    } else {
        server_seconds.saturating_add(1)
    }
}

impl Step {
    /// The step a flow fetched from the server (after a reload) stands at.
    pub fn from_view(view: &EmailCodeFlowView) -> Step {
        match view.state {
            EmailCodeState::CodeSent => Step::CodeSent {
                flow_id: view.flow_id.clone(),
                email: view.email.clone(),
                resend_after: countdown(view.resend_after_seconds),
            },
            EmailCodeState::Verified => Step::Verified {
                flow_id: view.flow_id.clone(),
                email: view.email.clone(),
            },
        }
    }

    /// The next step. Events that make no sense in a step leave it unchanged.
    pub fn next(self, event: Event) -> Step {
        match (self, event) {
            (_, Event::ChangeEmail | Event::FlowLost | Event::Cancel) => Step::EnterEmail,
            (Step::EnterEmail | Step::CodeSent { .. }, Event::CodeSent(view)) => {
                Step::from_view(&view)
            }
            (Step::CodeSent { .. }, Event::Verified(view)) => Step::Verified {
                flow_id: view.flow_id,
                email: view.email,
            },
            (Step::Verified { .. }, Event::Completed) => Step::Done,
            (
                Step::CodeSent {
                    flow_id,
                    email,
                    resend_after,
                },
                Event::Tick,
            ) => Step::CodeSent {
                flow_id,
                email,
                resend_after: resend_after.saturating_sub(1),
            },
            (Step::CodeSent { flow_id, email, .. }, Event::RetryAfter(seconds)) => Step::CodeSent {
                flow_id,
                email,
                resend_after: countdown(seconds),
            },
            (step, _) => step,
        }
    }

    pub fn flow_id(&self) -> Option<&str> {
        match self {
            Step::CodeSent { flow_id, .. } | Step::Verified { flow_id, .. } => Some(flow_id),
            _ => None,
        }
    }

    /// Seconds until "Send new code" may be used; 0 when it may (or outside step 5).
    pub fn resend_after(&self) -> u32 {
        match self {
            Step::CodeSent { resend_after, .. } => *resend_after,
            _ => 0,
        }
    }

    /// The email is locked once a code was sent to it.
    pub fn email_locked(&self) -> bool {
        !matches!(self, Step::EnterEmail)
    }

    /// The last step's fields (passwords, names) may be filled in only once the email is
    /// verified.
    pub fn can_create(&self) -> bool {
        matches!(self, Step::Verified { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(state: EmailCodeState) -> EmailCodeFlowView {
        EmailCodeFlowView {
            flow_id: "f1".into(),
            email: "a@example.org".into(),
            state,
            resend_after_seconds: 30,
            code_expires_in_seconds: 600,
            invitation: None,
        }
    }

    #[test]
    fn walks_the_seed_steps_in_order() {
        let step = Step::EnterEmail;
        assert!(!step.email_locked());
        let step = step.next(Event::CodeSent(view(EmailCodeState::CodeSent)));
        assert!(matches!(step, Step::CodeSent { .. }));
        assert!(step.email_locked());
        assert!(!step.can_create());
        let step = step.next(Event::Verified(view(EmailCodeState::Verified)));
        assert!(step.can_create());
        assert_eq!(step.flow_id(), Some("f1"));
        assert_eq!(step.next(Event::Completed), Step::Done);
    }

    #[test]
    fn a_new_code_keeps_the_flow_in_code_sent() {
        let step = Step::EnterEmail.next(Event::CodeSent(view(EmailCodeState::CodeSent)));
        let again = step
            .clone()
            .next(Event::CodeSent(view(EmailCodeState::CodeSent)));
        assert_eq!(step, again);
    }

    #[test]
    fn the_resend_countdown_ticks_down_to_zero_and_follows_retry_after() {
        let mut step = Step::EnterEmail.next(Event::CodeSent(view(EmailCodeState::CodeSent)));
        assert_eq!(
            step.resend_after(),
            31,
            "the server's 30 s, and one for its rounding"
        );
        step = step.next(Event::Tick);
        assert_eq!(step.resend_after(), 30);
        for _ in 0..40 {
            step = step.next(Event::Tick);
        }
        assert_eq!(step.resend_after(), 0);
        step = step.next(Event::RetryAfter(12));
        assert_eq!(step.resend_after(), 13);
        assert_eq!(Step::EnterEmail.next(Event::Tick), Step::EnterEmail);
    }

    #[test]
    fn cancel_leaves_the_flow() {
        let sent = Step::EnterEmail.next(Event::CodeSent(view(EmailCodeState::CodeSent)));
        assert_eq!(sent.next(Event::Cancel), Step::EnterEmail);
    }

    #[test]
    fn change_email_and_lost_flows_start_over() {
        let verified = Step::EnterEmail
            .next(Event::CodeSent(view(EmailCodeState::CodeSent)))
            .next(Event::Verified(view(EmailCodeState::Verified)));
        assert_eq!(verified.clone().next(Event::ChangeEmail), Step::EnterEmail);
        assert_eq!(verified.next(Event::FlowLost), Step::EnterEmail);
    }

    #[test]
    fn cannot_skip_verification() {
        assert_eq!(Step::EnterEmail.next(Event::Completed), Step::EnterEmail);
        let sent = Step::EnterEmail.next(Event::CodeSent(view(EmailCodeState::CodeSent)));
        assert_eq!(sent.clone().next(Event::Completed), sent);
    }

    #[test]
    fn a_resumed_flow_lands_on_its_step() {
        assert!(matches!(
            Step::from_view(&view(EmailCodeState::Verified)),
            Step::Verified { .. }
        ));
        assert!(matches!(
            Step::from_view(&view(EmailCodeState::CodeSent)),
            Step::CodeSent { .. }
        ));
    }
}
