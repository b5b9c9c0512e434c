#!/bin/bash
# Wires Google Cloud Logging to faultline:
#
#   log sink --(LogEntry JSON)--> Pub/Sub topic --(push, OIDC)--> https://SERVICE_URL/v1/push/pubsub
#                                      \--(after N failed deliveries)--> dead-letter topic (+ pull subscription)
#
# Steps (each a gcloud command; --dry-run prints them instead of running them):
#   1. enable the Logging, Pub/Sub and IAM APIs
#   2. the topic, the dead-letter topic and a pull subscription on it (a topic
#      without subscriptions drops what it receives, so dead letters are kept there)
#   3. the service account whose OIDC token authenticates each push
#   4. the log sink with a filter for crashing containers (see default_filter),
#      and roles/pubsub.publisher on the topic for the sink's writer identity
#   5. on Cloud Run: roles/run.invoker on the faultline service for the push
#      account, so Cloud Run checks the token before a request reaches faultline
#   6. the Pub/Sub service agent may mint tokens for the push account
#      (roles/iam.serviceAccountTokenCreator), publish to the dead-letter topic and
#      acknowledge forwarded messages on the push subscription (dead-lettering)
#   7. the push subscription: endpoint, OIDC account and audience, ack deadline,
#      retry backoff, dead-letter topic and maximum delivery attempts
#
# Re-running is safe: what exists is updated or left as it is.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: deploy/gcp/setup.sh --project ID --service-url https://HOST [options]

Creates the log sink, Pub/Sub topic and authenticated push subscription that
feed Cloud Logging entries to faultline's POST /v1/push/pubsub.

Required (flag, or environment variable):
  --project ID                 Google Cloud project            FAULTLINE_PROJECT
  --service-url URL            faultline's https:// base URL   FAULTLINE_SERVICE_URL
  --region REGION              Cloud Run region (needed unless FAULTLINE_REGION
                               --run-service '' is given)

Options:
  --run-service NAME           Cloud Run service running faultline; the push
                               account gets roles/run.invoker on it
                               (default: faultline; '' when not on Cloud Run)
                                                               FAULTLINE_RUN_SERVICE
  --topic NAME                 (default: faultline-logs)       FAULTLINE_TOPIC
  --dead-letter-topic NAME     (default: faultline-logs-dead-letter)
                                                               FAULTLINE_DEAD_LETTER_TOPIC
  --subscription NAME          (default: faultline-push)       FAULTLINE_SUBSCRIPTION
  --sink NAME                  (default: faultline-sink)       FAULTLINE_SINK
  --push-service-account NAME  account id or email (default: faultline-push)
                                                               FAULTLINE_PUSH_SERVICE_ACCOUNT
  --audience AUD               OIDC token audience (default: the service URL)
                                                               FAULTLINE_AUDIENCE
  --max-delivery-attempts N    5-100, before a message is dead-lettered (default: 10)
                                                               FAULTLINE_MAX_DELIVERY_ATTEMPTS
  --ack-deadline SECONDS       10-600 (default: 60)            FAULTLINE_ACK_DEADLINE
  --filter FILTER              Cloud Logging filter of the sink (default: crashing
                               Cloud Run and GKE containers; printed by --print-filter)
                                                               FAULTLINE_FILTER
  --print-filter               print the sink filter that would be used, and exit
  --dry-run                    print every gcloud command instead of running it
  -h, --help                   this help

Exit status: 0 on success, 1 when a gcloud command fails, 2 on bad or missing
parameters.
USAGE
}

die_usage() {
  echo "setup.sh: $*" >&2
  echo "Run 'deploy/gcp/setup.sh --help' for the parameters." >&2
  exit 2
}

project=${FAULTLINE_PROJECT:-}
service_url=${FAULTLINE_SERVICE_URL:-}
region=${FAULTLINE_REGION:-}
run_service=${FAULTLINE_RUN_SERVICE-faultline}
topic=${FAULTLINE_TOPIC:-faultline-logs}
dead_letter_topic=${FAULTLINE_DEAD_LETTER_TOPIC:-faultline-logs-dead-letter}
subscription=${FAULTLINE_SUBSCRIPTION:-faultline-push}
sink=${FAULTLINE_SINK:-faultline-sink}
push_account=${FAULTLINE_PUSH_SERVICE_ACCOUNT:-faultline-push}
audience=${FAULTLINE_AUDIENCE:-}
max_delivery_attempts=${FAULTLINE_MAX_DELIVERY_ATTEMPTS:-10}
ack_deadline=${FAULTLINE_ACK_DEADLINE:-60}
filter=${FAULTLINE_FILTER:-}
dry_run=0
print_filter=0

while [ $# -gt 0 ]; do
  flag=$1
  value=""
  case $flag in
    -h | --help) usage; exit 0 ;;
    --dry-run) dry_run=1; shift; continue ;;
    --print-filter) print_filter=1; shift; continue ;;
    --*=*) value=${flag#*=}; flag=${flag%%=*}; shift ;;
    --*)
      [ $# -ge 2 ] || die_usage "$flag needs a value"
      value=$2
      shift 2
      ;;
    *) die_usage "unexpected argument '$flag'" ;;
  esac
  case $flag in
    --project) project=$value ;;
    --service-url) service_url=$value ;;
    --region) region=$value ;;
    --run-service) run_service=$value ;;
    --topic) topic=$value ;;
    --dead-letter-topic) dead_letter_topic=$value ;;
    --subscription) subscription=$value ;;
    --sink) sink=$value ;;
    --push-service-account) push_account=$value ;;
    --audience) audience=$value ;;
    --max-delivery-attempts) max_delivery_attempts=$value ;;
    --ack-deadline) ack_deadline=$value ;;
    --filter) filter=$value ;;
    *) die_usage "unknown flag $flag" ;;
  esac
done

# The default sink filter: what a crashing container writes, not every request log.
#  - Cloud Run: stderr (tracebacks), the platform's varlog/system log ("Container
#    called exit(3).", startup probe failures, "Memory limit ... exceeded" and the
#    startup-probe successes that resolve incidents), and anything >= ERROR.
#  - GKE: container stderr and >= ERROR, and the kubelet/node events of restarts,
#    crash loops, failed probes and OOM kills.
#  - Never faultline's own logs (a loop that would only add noise).
default_filter() {
  local self=${run_service:-faultline}
  cat <<FILTER
(
  (resource.type="cloud_run_revision"
    AND (log_id("run.googleapis.com/stderr") OR log_id("run.googleapis.com/varlog/system") OR severity>=ERROR)
    AND -resource.labels.service_name="${self}")
  OR (resource.type="k8s_container"
    AND (log_id("stderr") OR severity>=ERROR)
    AND -resource.labels.container_name="faultline")
  OR (resource.type=("k8s_pod" OR "k8s_node") AND log_id("events")
    AND jsonPayload.reason=("BackOff" OR "Unhealthy" OR "Killing" OR "Failed" OR "OOMKilling"))
)
FILTER
}
[ -n "$filter" ] || filter=$(default_filter)
# One line: the filter is a gcloud argument and a line of the dry run's output.
filter=$(printf '%s' "$filter" | tr -s ' \t\n' ' ' | sed -e 's/( /(/g' -e 's/ )/)/g' -e 's/^ //' -e 's/ $//')
if [ "$print_filter" = 1 ]; then
  printf '%s\n' "$filter"
  exit 0
fi

missing=()
[ -n "$project" ] || missing+=("--project (or FAULTLINE_PROJECT)")
[ -n "$service_url" ] || missing+=("--service-url (or FAULTLINE_SERVICE_URL)")
[ -z "$run_service" ] || [ -n "$region" ] ||
  missing+=("--region (or FAULTLINE_REGION), for the Cloud Run service '$run_service'; --run-service '' when faultline does not run on Cloud Run")
if [ ${#missing[@]} -gt 0 ]; then
  for m in "${missing[@]}"; do echo "setup.sh: missing required parameter: $m" >&2; done
  echo "Run 'deploy/gcp/setup.sh --help' for the parameters." >&2
  exit 2
fi

[[ $project =~ ^[a-z][a-z0-9-]{4,28}[a-z0-9]$ ]] ||
  die_usage "--project: '$project' is not a project id (6-30 lower-case letters, digits, hyphens)"
[[ $service_url =~ ^https://[^/[:space:]]+(/[^[:space:]]*)?$ ]] ||
  die_usage "--service-url: expected an https:// URL (Pub/Sub pushes with OIDC only over HTTPS), got '$service_url'"
service_url=${service_url%/}
[ -n "$audience" ] || audience=$service_url
{ [[ $max_delivery_attempts =~ ^[0-9]+$ ]] && [ "$max_delivery_attempts" -ge 5 ] && [ "$max_delivery_attempts" -le 100 ]; } ||
  die_usage "--max-delivery-attempts: expected a number from 5 to 100 (Pub/Sub's limits), got '$max_delivery_attempts'"
{ [[ $ack_deadline =~ ^[0-9]+$ ]] && [ "$ack_deadline" -ge 10 ] && [ "$ack_deadline" -le 600 ]; } ||
  die_usage "--ack-deadline: expected seconds from 10 to 600, got '$ack_deadline'"
for name in "$topic" "$dead_letter_topic" "$subscription" "$sink"; do
  [[ $name =~ ^[A-Za-z][A-Za-z0-9._~%+-]{2,254}$ ]] || die_usage "'$name' is not a valid topic, subscription or sink name"
done
case $push_account in
  *@*) push_email=$push_account; push_id=${push_account%%@*} ;;
  *) push_email="$push_account@$project.iam.gserviceaccount.com"; push_id=$push_account ;;
esac

endpoint="$service_url/v1/push/pubsub"
topic_path="projects/$project/topics/$topic"
dead_letter_path="projects/$project/topics/$dead_letter_topic"
# Filled in by steps that ask gcloud; dry runs print them as shell variables.
# shellcheck disable=SC2016
PROJECT_NUMBER='${PROJECT_NUMBER}'
# shellcheck disable=SC2016
WRITER_IDENTITY='${WRITER_IDENTITY}'

# Prints a command as one line a shell can run again: arguments quoted only
# where needed; ${VAR} placeholders of a dry run in double quotes, so that the
# values the capture lines assign are filled in.
show() {
  local out="" arg
  for arg in "$@"; do
    if [[ $arg =~ ^[A-Za-z0-9_./:=@,+%-]+$ ]]; then
      out+=" $arg"
    elif [[ $arg =~ \$\{[A-Z_]+\} ]]; then
      out+=" \"$arg\""
    else
      out+=" '${arg//\'/\'\\\'\'}'"
    fi
  done
  printf '%s\n' "${out# }"
}

run() {
  show "$@"
  [ "$dry_run" = 1 ] && return 0
  "$@"
}

# `exists` probes with a describe command; a dry run assumes nothing exists.
exists() {
  [ "$dry_run" = 1 ] && return 1
  "$@" >/dev/null 2>&1
}

# Captures a value from gcloud into a variable; a dry run prints the assignment.
capture() {
  local var=$1
  shift
  if [ "$dry_run" = 1 ]; then
    # shellcheck disable=SC2016
    printf '%s=$(%s)\n' "$var" "$(show "$@")"
    return 0
  fi
  local value
  value=$("$@")
  [ -n "$value" ] || { echo "setup.sh: $(show "$@") printed nothing" >&2; exit 1; }
  printf -v "$var" '%s' "$value"
  show "$@"
  echo "  -> $var=$value"
}

section() { printf '\n# %s\n' "$*"; }

if [ "$dry_run" = 1 ]; then
  echo "# dry run: the gcloud commands setup.sh would run, in order (nothing is changed)"
else
  command -v gcloud >/dev/null || { echo "setup.sh: gcloud is not installed (try --dry-run to see the steps)" >&2; exit 1; }
fi

section "1. APIs"
run gcloud services enable logging.googleapis.com pubsub.googleapis.com iam.googleapis.com --project="$project"
capture PROJECT_NUMBER gcloud projects describe "$project" --format='value(projectNumber)'
pubsub_agent="serviceAccount:service-${PROJECT_NUMBER}@gcp-sa-pubsub.iam.gserviceaccount.com"

section "2. Topics (log entries, dead letters) and a subscription that keeps the dead letters"
exists gcloud pubsub topics describe "$topic" --project="$project" ||
  run gcloud pubsub topics create "$topic" --project="$project"
exists gcloud pubsub topics describe "$dead_letter_topic" --project="$project" ||
  run gcloud pubsub topics create "$dead_letter_topic" --project="$project"
exists gcloud pubsub subscriptions describe "$dead_letter_topic-hold" --project="$project" ||
  run gcloud pubsub subscriptions create "$dead_letter_topic-hold" --project="$project" \
    --topic="$dead_letter_topic" --message-retention-duration=7d --expiration-period=never

section "3. The service account that signs each push (OIDC)"
exists gcloud iam service-accounts describe "$push_email" --project="$project" ||
  run gcloud iam service-accounts create "$push_id" --project="$project" \
    --display-name="faultline Pub/Sub push"

section "4. Log sink to the topic, and its writer identity may publish there"
if exists gcloud logging sinks describe "$sink" --project="$project"; then
  run gcloud logging sinks update "$sink" "pubsub.googleapis.com/$topic_path" --project="$project" \
    --log-filter="$filter"
else
  run gcloud logging sinks create "$sink" "pubsub.googleapis.com/$topic_path" --project="$project" \
    --log-filter="$filter" --description="Container failures for faultline"
fi
capture WRITER_IDENTITY gcloud logging sinks describe "$sink" --project="$project" --format='value(writerIdentity)'
run gcloud pubsub topics add-iam-policy-binding "$topic" --project="$project" \
  --member="$WRITER_IDENTITY" --role=roles/pubsub.publisher

section "5. Who may call faultline"
if [ -n "$run_service" ]; then
  run gcloud run services add-iam-policy-binding "$run_service" --project="$project" --region="$region" \
    --member="serviceAccount:$push_email" --role=roles/run.invoker
else
  echo "# not on Cloud Run: faultline receives the OIDC token (audience $audience) itself;"
  echo "# put an authenticating proxy in front of it until it verifies the token."
fi

section "6. The Pub/Sub service agent: push tokens and dead-lettering"
run gcloud iam service-accounts add-iam-policy-binding "$push_email" --project="$project" \
  --member="$pubsub_agent" --role=roles/iam.serviceAccountTokenCreator
run gcloud pubsub topics add-iam-policy-binding "$dead_letter_topic" --project="$project" \
  --member="$pubsub_agent" --role=roles/pubsub.publisher

section "7. Push subscription: OIDC-authenticated, retried with backoff, dead-lettered after $max_delivery_attempts attempts"
subscription_flags=(
  --push-endpoint="$endpoint"
  --push-auth-service-account="$push_email"
  --push-auth-token-audience="$audience"
  --ack-deadline="$ack_deadline"
  --min-retry-delay=10s
  --max-retry-delay=600s
  --dead-letter-topic="$dead_letter_path"
  --max-delivery-attempts="$max_delivery_attempts"
)
if exists gcloud pubsub subscriptions describe "$subscription" --project="$project"; then
  run gcloud pubsub subscriptions update "$subscription" --project="$project" "${subscription_flags[@]}"
else
  run gcloud pubsub subscriptions create "$subscription" --project="$project" --topic="$topic" \
    --message-retention-duration=1d --expiration-period=never "${subscription_flags[@]}"
fi
# Dead-lettering also needs the agent to acknowledge on the source subscription.
run gcloud pubsub subscriptions add-iam-policy-binding "$subscription" --project="$project" \
  --member="$pubsub_agent" --role=roles/pubsub.subscriber

section "Done"
echo "# Pub/Sub now pushes matching log entries to $endpoint"
echo "# Check: gcloud pubsub subscriptions describe $subscription --project=$project"
