use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// What the repositories can fail with, already sorted into the kinds the API answers differently.
#[derive(Debug, thiserror::Error)]
pub enum PersistenceError {
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the row; the text names the constraint or column when known.
    #[error("conflicts with an existing row: {0}")]
    UniqueViolation(String),
    #[error("refers to a row that does not exist: {0}")]
    ForeignKeyViolation(String),
    /// No connection could be had: the database is down or the pool is exhausted.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A versioned update found the row at another version than the one it was read at: another
    /// write got there first, and nothing was changed.
    #[error("the row changed since it was read")]
    StaleVersion,
    /// A guarded write found its condition false (say, a representative already bound); the
    /// transaction it ran in is rolled back. The text names the condition.
    #[error("refused: {0}")]
    Refused(&'static str),
    #[error("database error: {0}")]
    Database(DieselError),
    /// A stored value cannot be read back (an unknown state or kind, malformed JSON): the data is
    /// corrupt, or was written by a newer version.
    #[error("stored data cannot be read: {0}")]
    Corrupt(String),
    #[error("bundled data is malformed: {0}")]
    Seed(String),
    #[error("migration failed: {0}")]
    Migration(String),
}

impl From<DieselError> for PersistenceError {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::NotFound => PersistenceError::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                PersistenceError::UniqueViolation(
                    info.constraint_name()
                        .or(info.column_name())
                        .unwrap_or(info.message())
                        .to_owned(),
                )
            }
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
                PersistenceError::ForeignKeyViolation(
                    info.constraint_name().unwrap_or(info.message()).to_owned(),
                )
            }
            DieselError::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                info,
            ) => PersistenceError::Unavailable(info.message().to_owned()),
            other => PersistenceError::Database(other),
        }
    }
}

impl PersistenceError {
    /// Whether the work failed because its connection is unusable (closed by the server, or the
    /// command could not be sent): that connection must not be reused.
    pub fn is_connection_failure(&self) -> bool {
        matches!(self, PersistenceError::Unavailable(_))
    }
}

/// A stored code that names no value of its enum: the row is corrupt.
impl From<ormas_domain::UnknownCode> for PersistenceError {
    fn from(error: ormas_domain::UnknownCode) -> Self {
        PersistenceError::Corrupt(error.to_string())
    }
}

impl From<r2d2::Error> for PersistenceError {
    fn from(error: r2d2::Error) -> Self {
        PersistenceError::Unavailable(error.to_string())
    }
}

pub type PersistenceResult<T> = Result<T, PersistenceError>;
