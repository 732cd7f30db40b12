//! `seed --demo`: attribute permit requests of registered ormas of Kalimantan Timur in every
//! state, so the queue, the checklist and the permit numbers can be tried at once.

use chrono::{Datelike, NaiveDate};
use ormas_domain::permits::{
    ChecklistQuestion, DEFAULT_ANSWER_WORKING_DAYS, DEFAULT_VALIDITY_MONTHS, PermitState,
    answer_due_on, permit_number, valid_until,
};
use ormas_persistence::permits::{self, PermitRow};
use ormas_persistence::{AnyConnection, PersistenceResult, reference};

use crate::routes::permits::dto::{ChecklistAnswer, ItemChecklist, StoredItem, event_row};

fn answers(flag: Option<ChecklistQuestion>) -> ItemChecklist {
    let a = |q: ChecklistQuestion| {
        Some(ChecklistAnswer {
            yes: flag == Some(q),
            note: (flag == Some(q)).then(|| "Menyerupai lambang Polri (demo).".to_owned()),
        })
    };
    use ChecklistQuestion::*;
    ItemChecklist {
        resembles_government_or_security_forces: a(ResemblesGovernmentOrSecurityForces),
        foreign_symbol_without_permit: a(ForeignSymbolWithoutPermit),
        resembles_other_ormas: a(ResemblesOtherOrmas),
        resembles_political_party: a(ResemblesPoliticalParty),
        separatist_or_banned_symbol: a(SeparatistOrBannedSymbol),
    }
}

fn items() -> Vec<StoredItem> {
    use ormas_domain::permits::AttributeKind::*;
    [
        (Seragam, "Kemeja lapangan dengan lambang di dada kiri", 120),
        (Bendera, "Bendera organisasi 90 × 135 cm", 10),
    ]
    .into_iter()
    .map(|(kind, description, quantity)| StoredItem {
        kind,
        description: description.into(),
        colours: vec!["hijau".into(), "putih".into()],
        quantity,
        design: None,
    })
    .collect()
}

/// One request in each state for the first registered ormas of Kalimantan Timur (64).
pub fn seed_demo_permits(conn: &mut AnyConnection, today: NaiveDate) -> PersistenceResult<usize> {
    let ormas = permits::registered_in(conn, "64", 6)?;
    let calendar = reference::holiday_calendar_from(conn, today - chrono::Days::new(30))?;
    let states = [
        PermitState::Draft,
        PermitState::Submitted,
        PermitState::Reviewed,
        PermitState::Returned,
        PermitState::Approved,
        PermitState::Refused,
    ];
    let mut created = 0;
    for (i, (state, (registration_id, region))) in states.iter().zip(ormas).enumerate() {
        let at = crate::clock::now_utc();
        let submitted = today - chrono::Days::new(3 + 4 * i as u64);
        let waiting = *state != PermitState::Draft;
        let mut row = PermitRow {
            id: uuid::Uuid::now_v7().to_string(),
            registration_id,
            region_code: region.clone(),
            state: state.as_str().to_owned(),
            purpose: "Atribut untuk Musyawarah Daerah (demo)".into(),
            event_name: Some("Musyawarah Daerah (demo)".into()),
            event_date: Some(today + chrono::Days::new(45)),
            vendor_name: "CV Sablon Borneo (demo)".into(),
            vendor_address: "Jl. Jenderal Sudirman No. 12, Balikpapan".into(),
            items: serde_json::to_string(&items()).unwrap_or_else(|_| "[]".into()),
            checklist: None,
            first_submitted_on: waiting.then_some(submitted),
            submitted_on: waiting.then_some(submitted),
            answer_due_on: if waiting {
                answer_due_on(submitted, DEFAULT_ANSWER_WORKING_DAYS, &calendar).ok()
            } else {
                None
            },
            reviewed_on: None,
            reviewed_by: None,
            decided_on: None,
            decided_by: None,
            permit_number: None,
            valid_from: None,
            valid_until: None,
            return_notes: None,
            refusal_ground: None,
            refused_items: None,
            created_by: None,
            created_at: at,
            updated_at: at,
            version: 1,
        };
        match state {
            PermitState::Reviewed | PermitState::Approved | PermitState::Refused => {
                let flag = (*state != PermitState::Approved)
                    .then_some(ChecklistQuestion::ResemblesGovernmentOrSecurityForces);
                let checklist = vec![answers(None), answers(flag)];
                row.checklist = serde_json::to_string(&checklist).ok();
                row.reviewed_on = Some(submitted + chrono::Days::new(1));
            }
            PermitState::Returned => {
                row.return_notes = Some("Lengkapi desain bendera (demo).".into());
            }
            _ => {}
        }
        if *state == PermitState::Approved {
            let seq = permits::next_permit_sequence(conn, &region, today.year())?;
            row.decided_on = Some(today);
            row.permit_number = Some(permit_number(seq.max(0) as u32, &region, today));
            row.valid_from = Some(today);
            row.valid_until = Some(valid_until(today, DEFAULT_VALIDITY_MONTHS));
        }
        if *state == PermitState::Refused {
            row.decided_on = Some(today);
            row.refusal_ground =
                Some("Butir 2 menyerupai lambang Polri (UU 16/2017 Ps 59 ayat 1) (demo).".into());
            row.refused_items = Some("[2]".into());
        }
        permits::insert_permit(conn, &row)?;
        let history = event_row(
            &row.id,
            None,
            at,
            "attribute_permit.create",
            None,
            Some(*state),
            Some("demo data".into()),
        );
        permits::insert_event(conn, &history)?;
        created += 1;
    }
    Ok(created)
}
