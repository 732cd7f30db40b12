//! Coded reference lists with Indonesian and English labels: fields of activity, special
//! characters, document types and board positions. Codes are stored; labels are shown.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::registration::{OrmasKind, RegistrationState};

/// One entry of a reference list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Label {
    /// The stored code, snake_case.
    pub code: &'static str,
    /// The label in Indonesian.
    pub id: &'static str,
    /// The label in English.
    pub en: &'static str,
}

const fn label(code: &'static str, id: &'static str, en: &'static str) -> Label {
    Label { code, id, en }
}

/// The kinds of ormas with their labels, in declaration order (`GET /v1/reference/kinds`).
pub fn kind_labels() -> Vec<Label> {
    OrmasKind::ALL.iter().map(|k| k.label()).collect()
}

/// The registration states with their labels, in declaration order (`GET /v1/reference/states`).
pub fn state_labels() -> Vec<Label> {
    RegistrationState::ALL.iter().map(|s| s.label()).collect()
}

/// Fields of activity (bidang kegiatan).
pub const FIELDS: &[Label] = &[
    label("sosial", "Sosial", "Social welfare"),
    label("keagamaan", "Keagamaan", "Religion"),
    label("kepemudaan", "Kepemudaan", "Youth"),
    label("pendidikan", "Pendidikan", "Education"),
    label("kesehatan", "Kesehatan", "Health"),
    label("lingkungan_hidup", "Lingkungan Hidup", "Environment"),
    label("budaya", "Budaya", "Culture"),
    label("ekonomi", "Ekonomi", "Economy"),
    label("hukum_ham", "Hukum dan HAM", "Law and human rights"),
    label("kewanitaan", "Kewanitaan", "Women"),
    label("profesi", "Profesi", "Professions"),
    label("olahraga", "Olahraga", "Sports"),
    label("seni", "Seni", "Arts"),
    label("pertanian", "Pertanian", "Agriculture"),
    label("kebangsaan", "Kebangsaan", "Nationhood"),
    label("lainnya", "Lainnya", "Other"),
];

/// Special characters of an ormas (ciri khusus).
pub const SPECIAL_CHARACTERS: &[Label] = &[
    label("keagamaan", "Keagamaan", "Religious"),
    label("kewanitaan", "Kewanitaan", "Women's"),
    label("kepemudaan", "Kepemudaan", "Youth"),
    label("kesamaan_profesi", "Kesamaan profesi", "Common profession"),
    label("kesamaan_kegiatan", "Kesamaan kegiatan", "Common activity"),
    label("kesamaan_bidang", "Kesamaan bidang", "Common field"),
    label(
        "mitra_kementerian_lembaga",
        "Mitra kementerian/lembaga",
        "Partner of a ministry or agency",
    ),
];

/// Documents an ormas may upload with a registration.
pub const DOCUMENT_TYPES: &[Label] = &[
    label("cover_letter", "Surat permohonan", "Cover letter"),
    label("legal_basis", "SK AHU atau SKT", "AHU decree or SKT"),
    label(
        "deed_of_establishment",
        "Akta pendirian",
        "Deed of establishment",
    ),
    label("statutes", "AD/ART", "Articles of association and bylaws"),
    label("board_decree", "SK kepengurusan", "Board decree"),
    label("work_programme", "Program kerja", "Work programme"),
    label(
        "domicile_letter",
        "Surat keterangan domisili",
        "Domicile letter",
    ),
    label(
        "office_photo",
        "Foto kantor dan papan nama",
        "Photo of the office and its signboard",
    ),
    label("npwp", "NPWP", "Tax number (NPWP)"),
    label("statements", "Surat pernyataan", "Signed statements"),
    label(
        "kemenag_recommendation",
        "Rekomendasi Kemenag",
        "Ministry of Religious Affairs recommendation",
    ),
    label(
        REPORT_ATTACHMENT,
        "Lampiran laporan kegiatan",
        "Activity report attachment",
    ),
    label(
        VISIT_PHOTO,
        "Foto kunjungan lapangan",
        "Photo taken on a field visit",
    ),
    label(
        crate::grants::GRANT_PROPOSAL_LETTER,
        "Surat permohonan hibah",
        "Grant proposal letter",
    ),
    label(
        crate::grants::GRANT_BUDGET,
        "Rencana anggaran biaya (RAB) hibah",
        "Grant budget (RAB)",
    ),
    label(
        crate::grants::GRANT_LPJ,
        "Laporan pertanggungjawaban (LPJ) hibah",
        "Grant accountability report (LPJ)",
    ),
    label("other", "Lainnya", "Other"),
];

/// The document type of the photos a visiting team takes: uploaded by staff who record visits,
/// whatever the registration's state.
pub const VISIT_PHOTO: &str = "visit_photo";

/// The document type of a report's attachments: the only type a registered ormas may still upload.
pub const REPORT_ATTACHMENT: &str = "report_attachment";

/// The documents a registration needs unless the office configures otherwise: every type but the
/// Kemenag recommendation (religious ormas only) and "other".
pub const DEFAULT_REQUIRED_DOCUMENTS: &[&str] = &[
    "cover_letter",
    "legal_basis",
    "deed_of_establishment",
    "statutes",
    "board_decree",
    "work_programme",
    "domicile_letter",
    "office_photo",
    "npwp",
    "statements",
];

/// Positions on a board (pengurus).
pub const BOARD_POSITIONS: &[Label] = &[
    label("ketua", "Ketua", "Chair"),
    label("wakil_ketua", "Wakil Ketua", "Vice chair"),
    label("sekretaris", "Sekretaris", "Secretary"),
    label("wakil_sekretaris", "Wakil Sekretaris", "Deputy secretary"),
    label("bendahara", "Bendahara", "Treasurer"),
    label("wakil_bendahara", "Wakil Bendahara", "Deputy treasurer"),
    label("anggota", "Anggota", "Member"),
];

/// The positions every board must fill.
pub const REQUIRED_BOARD_POSITIONS: &[&str] = &["ketua", "sekretaris", "bendahara"];

/// The entry with `code`, if the list has one.
pub fn find<'a>(list: &'a [Label], code: &str) -> Option<&'a Label> {
    list.iter().find(|l| l.code == code)
}

/// Whether the positions held on a board include every required position.
pub fn board_complete<'a>(positions: impl IntoIterator<Item = &'a str>) -> bool {
    let held: BTreeSet<&str> = positions.into_iter().collect();
    REQUIRED_BOARD_POSITIONS.iter().all(|p| held.contains(p))
}

/// The codes in `required` that are not in `present`, in `required` order, each once.
pub fn missing_documents(required: &[String], present: &[String]) -> Vec<String> {
    let mut missing: Vec<String> = Vec::new();
    for code in required {
        if !present.contains(code) && !missing.contains(code) {
            missing.push(code.clone());
        }
    }
    missing
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_snake_case(code: &str) -> bool {
        code.split('_').all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        }) && code.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
    }

    fn strings(codes: &[&str]) -> Vec<String> {
        codes.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn codes_are_unique_snake_case_with_labels() {
        let lists = [
            ("FIELDS", FIELDS),
            ("SPECIAL_CHARACTERS", SPECIAL_CHARACTERS),
            ("DOCUMENT_TYPES", DOCUMENT_TYPES),
            ("BOARD_POSITIONS", BOARD_POSITIONS),
        ];
        for (name, list) in lists {
            let codes: BTreeSet<&str> = list.iter().map(|l| l.code).collect();
            assert_eq!(codes.len(), list.len(), "{name} has duplicate codes");
            for l in list {
                assert!(is_snake_case(l.code), "{name}: {:?}", l.code);
                assert!(
                    !l.id.trim().is_empty() && !l.en.trim().is_empty(),
                    "{name}: {l:?}"
                );
            }
        }
    }

    #[test]
    fn snake_case_check() {
        for (code, expected) in [
            ("lingkungan_hidup", true),
            ("npwp", true),
            ("Lingkungan", false),
            ("_x", false),
            ("x_", false),
            ("a__b", false),
            ("1a", false),
            ("a-b", false),
            ("", false),
        ] {
            assert_eq!(is_snake_case(code), expected, "{code:?}");
        }
    }

    #[test]
    fn required_codes_are_listed() {
        for code in DEFAULT_REQUIRED_DOCUMENTS {
            assert!(find(DOCUMENT_TYPES, code).is_some(), "{code}");
        }
        let optional: Vec<&str> = DOCUMENT_TYPES
            .iter()
            .map(|l| l.code)
            .filter(|c| !DEFAULT_REQUIRED_DOCUMENTS.contains(c))
            .collect();
        assert_eq!(
            optional,
            [
                "kemenag_recommendation",
                REPORT_ATTACHMENT,
                VISIT_PHOTO,
                crate::grants::GRANT_PROPOSAL_LETTER,
                crate::grants::GRANT_BUDGET,
                crate::grants::GRANT_LPJ,
                "other"
            ]
        );
        for code in REQUIRED_BOARD_POSITIONS {
            assert!(find(BOARD_POSITIONS, code).is_some(), "{code}");
        }
    }

    #[test]
    fn finds_labels() {
        let cases = [
            (
                FIELDS,
                "lingkungan_hidup",
                Some(("Lingkungan Hidup", "Environment")),
            ),
            (BOARD_POSITIONS, "ketua", Some(("Ketua", "Chair"))),
            (
                DOCUMENT_TYPES,
                "statutes",
                Some(("AD/ART", "Articles of association and bylaws")),
            ),
            (FIELDS, "Sosial", None),
            (SPECIAL_CHARACTERS, "sosial", None),
            (DOCUMENT_TYPES, "", None),
        ];
        for (list, code, expected) in cases {
            assert_eq!(find(list, code).map(|l| (l.id, l.en)), expected, "{code}");
        }
    }

    #[test]
    fn complete_boards() {
        let cases: &[(&[&str], bool)] = &[
            (&["ketua", "sekretaris", "bendahara"], true),
            (
                &["bendahara", "anggota", "ketua", "sekretaris", "ketua"],
                true,
            ),
            (&["ketua", "wakil_sekretaris", "bendahara"], false),
            (&["ketua", "sekretaris"], false),
            (&["Ketua", "Sekretaris", "Bendahara"], false),
            (&[], false),
        ];
        for (positions, expected) in cases {
            assert_eq!(
                board_complete(positions.iter().copied()),
                *expected,
                "{positions:?}"
            );
        }
    }

    #[test]
    fn missing_documents_keep_required_order() {
        let cases: &[(&[&str], &[&str], &[&str])] = &[
            (DEFAULT_REQUIRED_DOCUMENTS, DEFAULT_REQUIRED_DOCUMENTS, &[]),
            (
                &["cover_letter", "statutes", "npwp"],
                &["npwp", "other"],
                &["cover_letter", "statutes"],
            ),
            (
                &["npwp", "statutes", "npwp", "statutes"],
                &[],
                &["npwp", "statutes"],
            ),
            (&[], &["npwp"], &[]),
        ];
        for (required, present, expected) in cases {
            assert_eq!(
                missing_documents(&strings(required), &strings(present)),
                strings(expected),
                "{required:?} − {present:?}"
            );
        }
    }
}
