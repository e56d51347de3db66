//! [`ScriptServer`]: an HTTP server on 127.0.0.1 that answers each path from a script.
//!
//! Each path answers the [`Reply`]s queued for it ([`ScriptServer::once`],
//! [`ScriptServer::script`]), in order, then its standing reply ([`ScriptServer::always`]), or
//! `200` with the body `ok <path>` if it has none. Any method is answered; the server keeps
//! the method and path of every request it saw.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;

/// One scripted response: a status, headers (in order; a name given twice is sent twice) and a
/// body. Clones share a body factory.
#[derive(Clone)]
pub struct Reply(Kind);

#[derive(Clone)]
enum Kind {
    Fixed {
        status: StatusCode,
        headers: Vec<(HeaderName, HeaderValue)>,
        body: Content,
    },
    /// Made when it is sent.
    Later(Arc<dyn Fn() -> Reply + Send + Sync>),
}

/// A change [`Reply::map`] makes to the headers and body of a reply.
type Change = dyn Fn(&mut Vec<(HeaderName, HeaderValue)>, &mut Content) + Send + Sync;

#[derive(Clone)]
enum Content {
    Bytes(Bytes),
    Made(Arc<dyn Fn() -> Body + Send + Sync>),
}

impl Reply {
    /// `status` with no headers and an empty body.
    ///
    /// # Panics
    ///
    /// If `status` is not a status code (100 to 999).
    pub fn new(status: u16) -> Self {
        Self(Kind::Fixed {
            status: StatusCode::from_u16(status).expect("a status code"),
            headers: Vec::new(),
            body: Content::Bytes(Bytes::new()),
        })
    }

    /// A reply made by `make` each time it is sent: for values relative to that moment (an
    /// HTTP-date a few seconds away, an epoch second).
    pub fn later(make: impl Fn() -> Reply + Send + Sync + 'static) -> Self {
        Self(Kind::Later(Arc::new(make)))
    }

    /// The same reply with the header `name: value` added after the others.
    ///
    /// # Panics
    ///
    /// On a name or value no server could send.
    #[must_use]
    pub fn header(self, name: &str, value: impl AsRef<[u8]>) -> Self {
        let name = HeaderName::from_bytes(name.as_bytes()).expect("a header name");
        let value = crate::header(value);
        self.map(move |headers, _| headers.push((name.clone(), value.clone())))
    }

    /// The same reply with `pairs` added after the other headers, in order.
    ///
    /// # Panics
    ///
    /// On a name or value no server could send.
    #[must_use]
    pub fn headers<V: AsRef<[u8]>>(self, pairs: &[(&str, V)]) -> Self {
        pairs
            .iter()
            .fold(self, |reply, (name, value)| reply.header(name, value))
    }

    /// The same reply with `body` for its body.
    #[must_use]
    pub fn body(self, body: impl Into<Bytes>) -> Self {
        let body = body.into();
        self.map(move |_, content| *content = Content::Bytes(body.clone()))
    }

    /// The same reply with a body made by `make` each time it is sent: a stream (endless,
    /// trickling, in chunks).
    #[must_use]
    pub fn streamed(self, make: impl Fn() -> Body + Send + Sync + 'static) -> Self {
        let make: Arc<dyn Fn() -> Body + Send + Sync> = Arc::new(make);
        self.map(move |_, content| *content = Content::Made(Arc::clone(&make)))
    }

    /// Applies `change` to the headers and body, now or, for a [`later`](Self::later) reply,
    /// when it is made.
    fn map(
        self,
        change: impl Fn(&mut Vec<(HeaderName, HeaderValue)>, &mut Content) + Send + Sync + 'static,
    ) -> Self {
        self.map_with(Arc::new(change))
    }

    fn map_with(self, change: Arc<Change>) -> Self {
        match self.0 {
            Kind::Fixed {
                status,
                mut headers,
                mut body,
            } => {
                change(&mut headers, &mut body);
                Self(Kind::Fixed {
                    status,
                    headers,
                    body,
                })
            }
            Kind::Later(make) => Self::later(move || make().map_with(Arc::clone(&change))),
        }
    }

    fn response(&self) -> Response {
        match &self.0 {
            Kind::Fixed {
                status,
                headers,
                body,
            } => {
                let body = match body {
                    Content::Bytes(bytes) => Body::from(bytes.clone()),
                    Content::Made(make) => make(),
                };
                let mut response = Response::new(body);
                *response.status_mut() = *status;
                for (name, value) in headers {
                    response.headers_mut().append(name.clone(), value.clone());
                }
                response
            }
            Kind::Later(make) => make().response(),
        }
    }
}

/// The scripts per path and the requests seen.
#[derive(Default)]
struct Script {
    once: HashMap<String, VecDeque<Reply>>,
    standing: HashMap<String, Reply>,
    seen: Vec<(Method, String)>,
}

type Shared = Arc<Mutex<Script>>;

fn lock(script: &Shared) -> MutexGuard<'_, Script> {
    script.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A scripted HTTP/1 server (axum) on an ephemeral port of 127.0.0.1.
///
/// [`start`](Self::start) serves on the caller's Tokio runtime and stops when dropped;
/// [`start_on_thread`](Self::start_on_thread) serves from a thread and runtime of its own
/// (so what the client allocates on the test's thread is the client's alone) until the test
/// process ends. The script can change while it serves.
pub struct ScriptServer {
    addr: SocketAddr,
    script: Shared,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for ScriptServer {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

async fn answer(State(script): State<Shared>, method: Method, uri: Uri) -> Response {
    let path = uri.path().to_owned();
    let reply = {
        let mut script = lock(&script);
        script.seen.push((method, path.clone()));
        match script.once.get_mut(&path).and_then(VecDeque::pop_front) {
            Some(reply) => Some(reply),
            None => script.standing.get(&path).cloned(),
        }
    };
    match reply {
        Some(reply) => reply.response(),
        None => Reply::new(200).body(format!("ok {path}")).response(),
    }
}

async fn bind() -> tokio::net::TcpListener {
    tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .expect("bind 127.0.0.1")
}

fn app(script: &Shared) -> Router {
    Router::new()
        .fallback(answer)
        .with_state(Arc::clone(script))
}

impl ScriptServer {
    /// A server with an empty script, serving on the current Tokio runtime until dropped.
    ///
    /// # Panics
    ///
    /// Outside a Tokio runtime, or if no port of 127.0.0.1 can be bound.
    pub async fn start() -> Self {
        let script = Shared::default();
        let listener = bind().await;
        let addr = listener.local_addr().expect("an address");
        let app = app(&script);
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("serve");
        });
        Self {
            addr,
            script,
            task: Some(task),
        }
    }

    /// A server with an empty script, serving from a thread and current-thread runtime of its
    /// own until the test process ends (dropping it leaves it serving).
    ///
    /// # Panics
    ///
    /// If no port of 127.0.0.1 can be bound.
    pub fn start_on_thread() -> Self {
        let script = Shared::default();
        let app = app(&script);
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async move {
                let listener = bind().await;
                addr_tx
                    .send(listener.local_addr().expect("an address"))
                    .expect("send the address");
                axum::serve(listener, app).await.expect("serve");
            });
        });
        Self {
            addr: addr_rx.recv().expect("the server's address"),
            script,
            task: None,
        }
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://` and the address, without a trailing slash: paths are appended to it.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `path` answers `reply` once, after the replies already queued for it.
    pub fn once(&self, path: &str, reply: Reply) {
        self.script(path, [reply]);
    }

    /// `path` answers `replies` once each, in order, after the replies already queued for it.
    pub fn script(&self, path: &str, replies: impl IntoIterator<Item = Reply>) {
        lock(&self.script)
            .once
            .entry(path.to_owned())
            .or_default()
            .extend(replies);
    }

    /// `path` answers `reply` whenever nothing is queued for it (instead of `200 ok <path>`).
    pub fn always(&self, path: &str, reply: Reply) {
        lock(&self.script).standing.insert(path.to_owned(), reply);
    }

    /// The method and path of every request so far, in order.
    pub fn requests(&self) -> Vec<(Method, String)> {
        lock(&self.script).seen.clone()
    }

    /// How many requests it has answered so far.
    pub fn served(&self) -> usize {
        lock(&self.script).seen.len()
    }
}
