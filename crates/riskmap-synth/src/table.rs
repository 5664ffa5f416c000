//! A small row-wise table that the generator fills record by record (dirt is
//! easiest to apply to rows), turned into a polars `DataFrame` at the end.

use polars::prelude::{
    Column, DataFrame, IntoColumn, NewChunkedArray, PlSmallStr, PolarsResult, StringChunked,
};

/// One value of a generated record.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Missing.
    Null,
    /// Text.
    Str(String),
    /// Integer.
    Int(i64),
    /// Float.
    Float(f64),
    /// Boolean.
    Bool(bool),
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Str(s.to_owned())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Str(s)
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int(v)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::Float(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Bool(v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

impl Value {
    /// The value as a text cell, as [`Table::to_frame`] writes it in a text column.
    pub fn as_text(&self) -> Option<std::borrow::Cow<'_, str>> {
        match self {
            Value::Str(s) => Some(s.as_str().into()),
            Value::Int(i) => Some(i.to_string().into()),
            Value::Float(f) => Some(f.to_string().into()),
            Value::Bool(b) => Some(b.to_string().into()),
            Value::Null => None,
        }
    }
}

/// Rows of values under named columns.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Column names, in file order.
    pub columns: Vec<&'static str>,
    /// Records, each as long as `columns`.
    pub rows: Vec<Vec<Value>>,
}

impl Table {
    /// An empty table with these columns.
    pub fn new(columns: &[&'static str]) -> Table {
        Table {
            columns: columns.to_vec(),
            rows: Vec::new(),
        }
    }

    /// The position of column `name`; panics on a name the generator never made.
    pub fn col(&self, name: &str) -> usize {
        self.columns
            .iter()
            .position(|c| *c == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    }

    /// Converts to a `DataFrame`. A column's type is that of its first
    /// non-null value; integers in a float column are widened.
    pub fn to_frame(&self) -> PolarsResult<DataFrame> {
        let columns = self
            .columns
            .iter()
            .enumerate()
            .map(|(j, name)| {
                let name = PlSmallStr::from(*name);
                let cells = self.rows.iter().map(|r| &r[j]);
                let kind = self.rows.iter().map(|r| &r[j]).find(|v| **v != Value::Null);
                match kind {
                    Some(Value::Float(_)) => Column::new(
                        name,
                        cells
                            .map(|v| match v {
                                Value::Float(f) => Some(*f),
                                Value::Int(i) => Some(*i as f64),
                                _ => None,
                            })
                            .collect::<Vec<_>>(),
                    ),
                    Some(Value::Int(_)) => Column::new(
                        name,
                        cells
                            .map(|v| {
                                if let Value::Int(i) = v {
                                    Some(*i)
                                } else {
                                    None
                                }
                            })
                            .collect::<Vec<_>>(),
                    ),
                    Some(Value::Bool(_)) => Column::new(
                        name,
                        cells
                            .map(|v| {
                                if let Value::Bool(b) = v {
                                    Some(*b)
                                } else {
                                    None
                                }
                            })
                            .collect::<Vec<_>>(),
                    ),
                    _ => StringChunked::from_iter_options(name, cells.map(Value::as_text))
                        .into_column(),
                }
            })
            .collect::<Vec<_>>();
        DataFrame::new(self.rows.len(), columns)
    }
}
