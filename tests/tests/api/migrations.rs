use ormas_persistence::migrations::{
    applied_migrations, migration_names, revert_all_migrations, run_pending_migrations,
};
use ormas_persistence::seed::seed_reference_data;
use ormas_persistence::{Backend, prepare_database};
use ormas_tests::TestDatabase;

#[test]
fn both_trees_hold_the_same_migrations() {
    let sqlite = migration_names(Backend::Sqlite).unwrap();
    let postgres = migration_names(Backend::Postgres).unwrap();
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);

    // Every folder on disk has both up.sql and down.sql, in both trees.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../persistence/migrations");
    for tree in ["sqlite", "postgres"] {
        let mut names: Vec<String> = std::fs::read_dir(root.join(tree))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, sqlite, "{tree} tree");
        for name in &names {
            for file in ["up.sql", "down.sql"] {
                assert!(
                    root.join(tree).join(name).join(file).is_file(),
                    "{tree}/{name}/{file}"
                );
            }
        }
    }
}

#[test]
fn up_down_up_on_this_backend() {
    let database = TestDatabase::create();
    let target = database.target();
    target.prepare().unwrap();
    let mut conn = target.connect().unwrap();
    let expected = migration_names(Backend::of(&conn)).unwrap().len();

    let applied = run_pending_migrations(&mut conn).unwrap();
    assert_eq!(applied.len(), expected);
    assert_eq!(seed_reference_data(&mut conn).unwrap().regions, 7837);

    let reverted = revert_all_migrations(&mut conn).unwrap();
    assert_eq!(reverted.len(), expected);
    assert!(applied_migrations(&mut conn).unwrap().is_empty());

    let again = run_pending_migrations(&mut conn).unwrap();
    assert_eq!(again, applied);
    let seeded = seed_reference_data(&mut conn).unwrap();
    assert_eq!((seeded.regions, seeded.holidays), (7837, 314));
}

#[test]
fn preparing_twice_changes_nothing() {
    let database = TestDatabase::create();
    let first = prepare_database(&database.target()).unwrap();
    assert!(!first.migrations_applied.is_empty());
    assert_eq!(first.seeded.regions, 7837);
    let second = prepare_database(&database.target()).unwrap();
    assert!(second.migrations_applied.is_empty());
    assert_eq!((second.seeded.regions, second.seeded.holidays), (0, 0));
}
