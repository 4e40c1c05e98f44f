//! The JSON documents of Trino's client protocol, as far as the client reads
//! them: every `POST /v1/statement` and `GET nextUri` answers with one
//! `QueryResults` document. Unknown fields are ignored, and every field the
//! server may leave out has a default, so a newer server does not break us.

use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct QueryResults {
    pub(crate) id: String,
    pub(crate) next_uri: Option<String>,
    pub(crate) columns: Option<Vec<WireColumn>>,
    pub(crate) data: Option<Vec<Vec<Value>>>,
    #[serde(default)]
    pub(crate) stats: WireStats,
    pub(crate) error: Option<WireError>,
    pub(crate) update_type: Option<String>,
    pub(crate) update_count: Option<u64>,
    #[serde(default)]
    pub(crate) warnings: Vec<WireWarning>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireColumn {
    pub(crate) name: String,
    #[serde(rename = "type")]
    pub(crate) type_name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct WireStats {
    pub(crate) state: String,
    pub(crate) queued: bool,
    pub(crate) scheduled: bool,
    pub(crate) nodes: u64,
    pub(crate) total_splits: u64,
    pub(crate) completed_splits: u64,
    pub(crate) processed_rows: u64,
    pub(crate) processed_bytes: u64,
    pub(crate) elapsed_time_millis: u64,
    pub(crate) progress_percentage: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireError {
    #[serde(default)]
    pub(crate) message: String,
    #[serde(default)]
    pub(crate) error_code: i64,
    #[serde(default)]
    pub(crate) error_name: String,
    #[serde(default)]
    pub(crate) error_type: String,
    pub(crate) error_location: Option<WireLocation>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireLocation {
    pub(crate) line_number: u32,
    pub(crate) column_number: u32,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireWarning {
    #[serde(default)]
    pub(crate) message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_optional_fields_have_defaults() {
        let results: QueryResults =
            serde_json::from_str(r#"{"id":"q1","stats":{"state":"QUEUED"},"newField":[1]}"#)
                .expect("parses");
        assert_eq!(results.id, "q1");
        assert_eq!(results.stats.state, "QUEUED");
        assert_eq!(results.stats.processed_rows, 0);
        assert!(results.next_uri.is_none() && results.error.is_none());
        assert!(results.warnings.is_empty());
    }
}
