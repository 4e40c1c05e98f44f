//! A gateway on loopback in front of the real Trino, failing the requests a
//! test chooses with 502/503/504, as a load balancer would (Trino never sends
//! these itself, so a real server alone cannot exercise the retries). Every
//! other request is forwarded to Trino and its answer's URLs rewritten to
//! point back at the gateway, so that the client keeps coming through it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// Which requests fail, and with what.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Fail {
    /// The first `n` GETs of every nextUri answer 502, 503, 504, 502, …
    EachGet(u32),
    /// Every GET of a nextUri answers 503.
    EveryGet,
    /// The first POST answers 503 (and nothing reaches Trino).
    FirstPost,
    /// The first `n` POSTs answer what Trino answers when it has no active
    /// worker: a FAILED query with NO_NODES_AVAILABLE (nothing reaches Trino).
    NoNodes(u32),
    /// The first `n` POSTs run on Trino to the end, then answer
    /// NO_NODES_AVAILABLE: what a client sees when a connector without
    /// rollback kept what a failed attempt created.
    NoNodesAfterRunning(u32),
}

/// Trino's answer to a statement it cannot schedule (the shape of a 476
/// server's QueryResults for a query FAILED with NO_NODES_AVAILABLE).
const NO_NODES: &str = r#"{"id":"20261203_000000_00000_nonod","infoUri":"http://127.0.0.1/ui/query.html?x","stats":{"state":"FAILED","queued":false,"scheduled":false,"nodes":0,"totalSplits":0,"completedSplits":0,"processedRows":0,"processedBytes":0,"elapsedTimeMillis":1},"error":{"message":"No nodes available to run query","errorCode":65540,"errorName":"NO_NODES_AVAILABLE","errorType":"INSUFFICIENT_RESOURCES"},"warnings":[]}"#;

pub(crate) struct Gateway {
    url: String,
    /// Every request seen: method, path, the status answered.
    log: Arc<Mutex<Vec<(String, String, u16)>>>,
}

impl Gateway {
    pub(crate) fn start(trino: &str, fail: Fail) -> Gateway {
        let listener = TcpListener::bind("127.0.0.1:0").expect("gateway port");
        let url = format!(
            "http://127.0.0.1:{}",
            listener.local_addr().expect("address").port()
        );
        let log = Arc::new(Mutex::new(Vec::new()));
        let state = Arc::new(State {
            trino: trino.trim_end_matches('/').to_string(),
            url: url.clone(),
            fail,
            log: Arc::clone(&log),
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(Duration::from_secs(60)))
                .build()
                .new_agent(),
        });
        // Serves until the test process ends (the listener is never closed).
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = Arc::clone(&state);
                thread::spawn(move || state.serve(stream));
            }
        });
        Gateway { url, log }
    }

    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    pub(crate) fn log(&self) -> Vec<(String, String, u16)> {
        self.log.lock().expect("log").clone()
    }
}

struct State {
    trino: String,
    url: String,
    fail: Fail,
    log: Arc<Mutex<Vec<(String, String, u16)>>>,
    agent: ureq::Agent,
}

impl State {
    /// One request per connection (answered with `Connection: close`).
    fn serve(&self, stream: TcpStream) {
        let Ok(mut reader) = stream.try_clone().map(BufReader::new) else {
            return;
        };
        let mut line = String::new();
        if reader.read_line(&mut line).is_err() {
            return;
        }
        let mut parts = line.split_whitespace();
        let (method, path) = match (parts.next(), parts.next()) {
            (Some(method), Some(path)) => (method.to_string(), path.to_string()),
            _ => return,
        };
        let mut headers = Vec::new();
        let mut length = 0;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).is_err() {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let (name, value) = (name.trim().to_string(), value.trim().to_string());
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.parse().unwrap_or(0);
                }
                headers.push((name, value));
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let status = self.failure(&method, &path);
        let (status, answer) = match status {
            Some(200) if matches!(self.fail, Fail::NoNodesAfterRunning(_)) => {
                let sql = String::from_utf8_lossy(&body);
                let ran =
                    mesh_trino::Client::new(&self.trino, "meshc-gateway").execute(&sql, None, None);
                match ran {
                    Ok(_) => (200, NO_NODES.to_string()),
                    Err(e) => (500, format!("gateway: {e}")),
                }
            }
            Some(200) => (200, NO_NODES.to_string()),
            Some(status) => (status, format!("gateway says {status}")),
            None => self.forward(&method, &path, &headers, body),
        };
        self.log.lock().expect("log").push((method, path, status));
        let mut stream = stream;
        let _ = write!(
            stream,
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{answer}",
            answer.len()
        );
    }

    fn failure(&self, method: &str, path: &str) -> Option<u16> {
        let log = self.log.lock().expect("log");
        let seen = |m: &str, p: Option<&str>| {
            log.iter()
                .filter(|(lm, lp, _)| lm == m && p.is_none_or(|p| p == lp))
                .count() as u32
        };
        let next_uri = method == "GET" && path.starts_with("/v1/statement/");
        match self.fail {
            Fail::EachGet(n) if next_uri => {
                let before = seen("GET", Some(path));
                (before < n).then(|| [502, 503, 504][(before % 3) as usize])
            }
            Fail::EveryGet if next_uri => Some(503),
            Fail::FirstPost if method == "POST" && seen("POST", None) == 0 => Some(503),
            Fail::NoNodes(n) | Fail::NoNodesAfterRunning(n)
                if method == "POST" && seen("POST", None) < n =>
            {
                Some(200)
            }
            _ => None,
        }
    }

    fn forward(
        &self,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> (u16, String) {
        let url = format!("{}{path}", self.trino);
        let skip = ["host", "content-length", "connection", "transfer-encoding"];
        let mut request = ureq::http::Request::builder().method(method).uri(&url);
        for (name, value) in headers {
            if !skip.contains(&name.to_ascii_lowercase().as_str()) {
                request = request.header(name, value);
            }
        }
        let Ok(request) = request.body(body) else {
            return (500, "gateway: bad request".into());
        };
        match self.agent.run(request) {
            Ok(mut response) => {
                let status = response.status().as_u16();
                let text = response.body_mut().read_to_string().unwrap_or_default();
                (status, text.replace(&self.trino, &self.url))
            }
            Err(e) => (502, format!("gateway: {e}")),
        }
    }
}
