//! Cases told apart beyond equality and anywhere in a body, end to end: documented AWS, Google
//! and S3 error responses from a server on 127.0.0.1, read through reqwest and
//! `errspec::reqwest::check`, and retried by the engine with the wait the body states.

use std::time::Duration;

use errspec::{Retrier, RetryPolicy, StatusError};
use errspec_test_support::{RecordingSleeper, Reply, ScriptServer};

#[errspec::errors(spec = "specs/matching.toml")]
#[derive(Debug)]
pub enum MatchingError {}

/// AWS JSON protocol: `x-amzn-ErrorType` is the error's code, a `:` and a URL.
const AWS_ERROR_TYPE: &str =
    "ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/";

/// DynamoDB's throttling body: `__type` is the service's namespace, a `#` and the code.
const DYNAMODB_BODY: &str = r#"{"__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException", "message": "Rate of requests exceeds the allowed throughput."}"#;

/// Google's AIP-193 error: the reason and the retry delay are in `details`, in no fixed order.
const GOOGLE_BODY: &str = r#"{
  "error": {
    "code": 429,
    "message": "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute'.",
    "status": "RESOURCE_EXHAUSTED",
    "details": [
      {
        "@type": "type.googleapis.com/google.rpc.Help",
        "links": [{"description": "Request a higher quota limit.", "url": "https://cloud.google.com/docs/quotas/help/request_increase"}]
      },
      {
        "@type": "type.googleapis.com/google.rpc.RetryInfo",
        "retryDelay": "1.5s"
      },
      {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": "RATE_LIMIT_EXCEEDED",
        "domain": "googleapis.com",
        "metadata": {"quota_metric": "sheets.googleapis.com/read_requests", "service": "sheets.googleapis.com"}
      }
    ]
  }
}"#;

/// S3's `503 SlowDown`, in XML.
const S3_SLOW_DOWN: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>"#;

async fn error_of(server: &ScriptServer, path: &str) -> MatchingError {
    let response = reqwest::get(format!("{}{path}", server.url()))
        .await
        .expect("the server answers");
    errspec::reqwest::check::<MatchingError>(response)
        .await
        .expect_err("an error status")
}

#[tokio::test]
async fn aws_throttling_by_a_header_prefix_and_a_body_suffix() {
    let server = ScriptServer::start().await;
    server.always(
        "/header",
        Reply::new(400)
            .header("x-amzn-errortype", AWS_ERROR_TYPE)
            .header("content-type", "application/x-amz-json-1.0")
            .body(r#"{"message": "Rate exceeded"}"#),
    );
    server.always(
        "/body",
        Reply::new(400)
            .header("content-type", "application/x-amz-json-1.0")
            .body(DYNAMODB_BODY),
    );
    server.always(
        "/validation",
        Reply::new(400)
            .header(
                "x-amzn-errortype",
                "ValidationException:http://internal.amazon.com/",
            )
            .body(r#"{"__type": "com.amazonaws.dynamodb.v20120810#ValidationException"}"#),
    );
    let header = error_of(&server, "/header").await;
    assert!(
        matches!(header, MatchingError::Throttling { .. }),
        "{header:?}"
    );
    assert_eq!(header.policy(), RetryPolicy::Always);
    let body = error_of(&server, "/body").await;
    assert!(
        matches!(body, MatchingError::ThrottledBody { .. }),
        "{body:?}"
    );
    assert_eq!(
        body.to_string(),
        "400 Bad Request: the request rate is too high for the table"
    );
    let other = error_of(&server, "/validation").await;
    assert!(
        matches!(other, MatchingError::BadRequest { .. }),
        "{other:?}"
    );
    assert_eq!(other.policy(), RetryPolicy::Never);
}

#[tokio::test]
async fn google_details_are_searched_and_their_retry_delay_is_the_wait() {
    let server = ScriptServer::start().await;
    server.always(
        "/sheet",
        Reply::new(429)
            .header("content-type", "application/json; charset=UTF-8")
            .body(GOOGLE_BODY),
    );
    let error = error_of(&server, "/sheet").await;
    assert!(
        matches!(error, MatchingError::QuotaExceeded { .. }),
        "{error:?}"
    );
    assert_eq!(error.retry_after(), Some(Duration::from_millis(1500)));
    assert_eq!(error.policy(), RetryPolicy::AfterHeader);

    // the engine waits what the body says, then succeeds
    server.script(
        "/retried",
        [
            Reply::new(429).body(GOOGLE_BODY),
            Reply::new(200).body("{}"),
        ],
    );
    let sleeper = RecordingSleeper::new();
    let retrier = Retrier::new(MatchingError::retry_config()).with_sleeper(sleeper.clone());
    let url = format!("{}/retried", server.url());
    let client = reqwest::Client::new();
    let body = retrier
        .run(false, || async {
            let response = client.get(&url).send().await.expect("the server answers");
            let response = errspec::reqwest::check::<MatchingError>(response).await?;
            Ok::<_, MatchingError>(response.text().await.unwrap_or_default())
        })
        .await
        .expect("the retry succeeds");
    assert_eq!(body, "{}");
    assert_eq!(sleeper.sleeps(), [Duration::from_millis(1500)]);

    // another reason in the details is not this case, and is not retried
    let other = GOOGLE_BODY.replace("RATE_LIMIT_EXCEEDED", "API_KEY_INVALID");
    server.always("/other", Reply::new(429).body(other));
    let error = error_of(&server, "/other").await;
    assert!(
        matches!(error, MatchingError::TooManyRequests { .. }),
        "{error:?}"
    );
    assert_eq!(error.policy(), RetryPolicy::Never);
}

#[tokio::test]
async fn s3_slow_down_by_the_xml_text() {
    let server = ScriptServer::start().await;
    server.always(
        "/bucket/key",
        Reply::new(503)
            .header("content-type", "application/xml")
            .body(S3_SLOW_DOWN),
    );
    server.always(
        "/other",
        Reply::new(503)
            .header("content-type", "application/xml")
            .body(S3_SLOW_DOWN.replace("SlowDown", "ServiceUnavailable")),
    );
    server.always("/empty", Reply::new(503));
    let slow = error_of(&server, "/bucket/key").await;
    assert!(matches!(slow, MatchingError::SlowDown { .. }), "{slow:?}");
    assert_eq!(slow.policy(), RetryPolicy::Always);
    assert_eq!(slow.body(), Some(S3_SLOW_DOWN));
    for path in ["/other", "/empty"] {
        let error = error_of(&server, path).await;
        assert!(
            matches!(error, MatchingError::ServiceUnavailable { .. }),
            "{path}: {error:?}"
        );
    }
}
