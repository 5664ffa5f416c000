//! The I/O error type.

use std::path::PathBuf;

/// An I/O failure, naming the file.
#[derive(Debug, thiserror::Error)]
pub enum IoError {
    /// The operating system refused (missing folder, permissions, disk full).
    #[error("{path}: {source}")]
    Os {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// polars could not read or write the table.
    #[error("{path}: {source}")]
    Table {
        /// The file.
        path: PathBuf,
        /// What polars said.
        source: polars::prelude::PolarsError,
    },
    /// GDAL could not read or write the layer or raster.
    #[error("{path}: {source}")]
    Gdal {
        /// The file.
        path: PathBuf,
        /// What GDAL said.
        source: gdal::errors::GdalError,
    },
    /// The file's ending names no format riskmap reads or writes.
    #[error("{path}: unsupported file ending; use one of {supported}")]
    Format {
        /// The file.
        path: PathBuf,
        /// The endings that would work.
        supported: &'static str,
    },
    /// The content is not what riskmap expects (wrong geometry, no band, ...).
    #[error("{path}: {message}")]
    Content {
        /// The file.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
}

impl IoError {
    pub(crate) fn os(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> IoError + '_ {
        move |source| IoError::Os {
            path: path.to_owned(),
            source,
        }
    }

    pub(crate) fn table(
        path: &std::path::Path,
    ) -> impl FnOnce(polars::prelude::PolarsError) -> IoError + '_ {
        move |source| IoError::Table {
            path: path.to_owned(),
            source,
        }
    }

    pub(crate) fn gdal(
        path: &std::path::Path,
    ) -> impl FnOnce(gdal::errors::GdalError) -> IoError + '_ {
        move |source| IoError::Gdal {
            path: path.to_owned(),
            source,
        }
    }
}
