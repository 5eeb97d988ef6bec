//! The JSON both sides parse, on any bytes: every request body the server reads and every
//! answer the SPA reads (problem+json included). No panic, and what parses survives a trip
//! through serde_json unchanged, so that the two sides cannot read one body two ways.
#![no_main]

use libfuzzer_sys::fuzz_target;
use partner_login_contract::api::{
    CompletePasswordResetRequest, CompleteSignupRequest, CreateInvitationRequest,
    CreateInvitationResponse, InvitationView, PublicConfig, SessionView, SignInRequest,
    EmailCodeFlowView, SocialStartRequest, SocialStartView, StartEmailCodeRequest, VerifyCodeRequest,
};
use partner_login_contract::Problem;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt::Debug;

fn round_trip<T: DeserializeOwned + Serialize + PartialEq + Debug>(json: &[u8]) {
    if let Ok(value) = serde_json::from_slice::<T>(json) {
        let written = serde_json::to_vec(&value).expect("a parsed value serializes");
        let again: T = serde_json::from_slice(&written).expect("what we write parses");
        assert_eq!(again, value);
    }
}

fuzz_target!(|input: &[u8]| {
    // The first byte picks the type, so one corpus reaches them all.
    let Some((&which, json)) = input.split_first() else {
        return;
    };
    match which % 14 {
        0 => round_trip::<StartEmailCodeRequest>(json),
        1 => round_trip::<VerifyCodeRequest>(json),
        2 => round_trip::<CompleteSignupRequest>(json),
        3 => round_trip::<SignInRequest>(json),
        4 => round_trip::<CompletePasswordResetRequest>(json),
        5 => round_trip::<CreateInvitationRequest>(json),
        6 => round_trip::<SocialStartRequest>(json),
        7 => round_trip::<Problem>(json),
        8 => round_trip::<PublicConfig>(json),
        9 => round_trip::<EmailCodeFlowView>(json),
        10 => round_trip::<SessionView>(json),
        11 => round_trip::<InvitationView>(json),
        12 => round_trip::<CreateInvitationResponse>(json),
        _ => round_trip::<SocialStartView>(json),
    }
});
