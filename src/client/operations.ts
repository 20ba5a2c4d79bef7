/**
 * The GraphQL operations the project itself sends (CLI, end-to-end tests, examples). `npm run codegen`
 * turns each into a TypedDocumentNode in `./generated/`, so a caller gets typed variables and results.
 */

import { graphql } from './generated/index.ts';

// ---- queries ----------------------------------------------------------------------------------------

export const WorkflowsQuery = graphql(`
  query Workflows {
    workflows { workflowId version name pattern }
  }
`);

export const WorkflowQuery = graphql(`
  query Workflow($id: String!) {
    workflow(id: $id) { id workflowId version latestVersion pattern name versions { version } }
  }
`);

export const RunQuery = graphql(`
  query Run($id: ID!) {
    run(id: $id) {
      id
      runId
      status
      workflowId
      workflowVersion
      pattern
      input
      output
      error { kind message }
      steps { execution stepId itemIndex status agentName attempts }
    }
  }
`);

export const RunWithEventsQuery = graphql(`
  query RunWithEvents($id: ID!, $afterSeq: Int, $first: Int) {
    run(id: $id) { runId status events(afterSeq: $afterSeq, first: $first) { seq type stepId } }
  }
`);

export const RunsQuery = graphql(`
  query Runs(
    $first: Int
    $after: String
    $last: Int
    $before: String
    $filter: RunFilter
    $orderBy: RunOrder
  ) {
    runs(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
      totalCount
      edges { cursor node { runId status workflowId pattern startedAt } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`);

/** A page of runs with everything around them: what a dashboard asks, and what the DataLoaders batch. */
export const RunsOverviewQuery = graphql(`
  query RunsOverview($first: Int) {
    runs(first: $first) {
      totalCount
      edges {
        node {
          workflow { workflowId latestVersion versions { version } }
          steps {
            agent {
              circuitBreaker { state settings { failureThreshold } }
              performance { latency { p95Ms } }
            }
          }
        }
      }
    }
  }
`);

export const NodeQuery = graphql(`
  query Node($id: ID!) {
    node(id: $id) {
      __typename
      id
      ... on Run { runId status }
      ... on Workflow { workflowId version }
      ... on Agent { name }
    }
  }
`);

export const AgentQuery = graphql(`
  query Agent($name: String!) {
    agent(name: $name) {
      name
      circuitBreaker { state failureCount settings { failureThreshold halfOpenAfterMs successThreshold } }
    }
  }
`);

export const StatsQuery = graphql(`
  query Stats {
    stats { runs { total succeeded failed running } }
  }
`);

// ---- mutations --------------------------------------------------------------------------------------

export const StatisticsQuery = graphql(`
  query Statistics {
    stats {
      runs { total succeeded failed cancelled byStatus }
      patterns { pattern runs succeeded failed }
      agents { agent calls succeeded failed }
    }
  }
`);

export const ExecuteWorkflowMutation = graphql(`
  mutation ExecuteWorkflow($input: ExecuteWorkflowInput!) {
    executeWorkflow(input: $input) {
      __typename
      ... on ExecuteWorkflowSuccess { run { id runId status workflowId workflowVersion } }
      ... on Error { message }
      ... on ValidationError { issues { path message } }
      ... on NotAuthorizedError { role field }
      ... on WorkflowNotFoundError { workflowId }
      ... on InvalidStateError { status }
    }
  }
`);

export const CancelRunMutation = graphql(`
  mutation CancelRun($id: ID!, $reason: String) {
    cancelRun(id: $id, reason: $reason) {
      __typename
      ... on CancelRunSuccess { run { runId status error { kind message } } }
      ... on Error { message }
      ... on NotAuthorizedError { role field }
      ... on RunNotFoundError { runId }
      ... on InvalidStateError { status }
    }
  }
`);

export const PublishEventMutation = graphql(`
  mutation PublishEvent($input: PublishEventInput!) {
    publishEvent(input: $input) {
      __typename
      ... on PublishEventSuccess { event { name payload } runs { runId status } }
      ... on Error { message }
      ... on NotAuthorizedError { role field }
      ... on ValidationError { issues { path message } }
    }
  }
`);

export const ExecuteAgentMutation = graphql(`
  mutation ExecuteAgent($input: ExecuteAgentInput!) {
    executeAgent(input: $input) {
      __typename
      ... on ExecuteAgentSuccess { agent { name } output attempts { attempt agentName fallback } }
      ... on Error { message }
      ... on NotAuthorizedError { role field }
      ... on ValidationError { issues { path message } }
      ... on AgentCallError { kind failedAgent: agent }
      ... on CircuitOpenError { openAgent: agent }
      ... on AgentNotFoundError { unknownAgent: agent }
    }
  }
`);

export const RegisterWorkflowMutation = graphql(`
  mutation RegisterWorkflow($definition: JSON!) {
    registerWorkflow(input: { definition: $definition }) {
      __typename
      ... on RegisterWorkflowSuccess { created workflow { id workflowId version } }
      ... on Error { message }
      ... on NotAuthorizedError { role field }
      ... on ValidationError { issues { path message } }
    }
  }
`);

export const ResetCircuitBreakerMutation = graphql(`
  mutation ResetCircuitBreaker($agent: String!) {
    resetCircuitBreaker(agent: $agent) {
      __typename
      ... on CircuitBreakerSuccess { circuitBreaker { agent state failureCount } }
      ... on Error { message }
      ... on NotAuthorizedError { role field }
      ... on AgentNotFoundError { unknownAgent: agent }
    }
  }
`);

export const IsolateCircuitBreakerMutation = graphql(`
  mutation IsolateCircuitBreaker($agent: String!) {
    isolateCircuitBreaker(agent: $agent) {
      __typename
      ... on CircuitBreakerSuccess { circuitBreaker { agent state failureCount } }
      ... on Error { message }
      ... on NotAuthorizedError { role field }
      ... on AgentNotFoundError { unknownAgent: agent }
    }
  }
`);

export const ConfigureCircuitBreakerMutation = graphql(`
  mutation ConfigureCircuitBreaker($input: ConfigureCircuitBreakerInput!) {
    configureCircuitBreaker(input: $input) {
      __typename
      ... on ConfigureCircuitBreakerSuccess {
        settings { failureThreshold halfOpenAfterMs successThreshold }
        circuitBreaker { agent state }
      }
      ... on Error { message }
      ... on NotAuthorizedError { role field }
      ... on ValidationError { issues { path message } }
    }
  }
`);

export const ConfigureRetryPolicyMutation = graphql(`
  mutation ConfigureRetryPolicy($input: RetryPolicyInput!) {
    configureRetryPolicy(input: $input) {
      __typename
      ... on ConfigureRetryPolicySuccess { retryPolicy { maxAttempts initialDelayMs } }
      ... on Error { message }
      ... on NotAuthorizedError { role field }
      ... on ValidationError { issues { path message } }
    }
  }
`);

// ---- subscriptions ----------------------------------------------------------------------------------

export const RunEventsSubscription = graphql(`
  subscription RunEvents($runId: ID!, $afterSeq: Int) {
    runEvents(runId: $runId, afterSeq: $afterSeq) { seq type runId stepId agent message data }
  }
`);

export const RunUpdatesSubscription = graphql(`
  subscription RunUpdates($filter: RunUpdateFilter) {
    runUpdates(filter: $filter) {
      runId
      workflowId
      pattern
      status
      previousStatus
      run { runId status }
    }
  }
`);

export const StatsSubscription = graphql(`
  subscription StatsStream($intervalMs: Int) {
    stats(intervalMs: $intervalMs) { runs { total succeeded running } }
  }
`);

export const CircuitBreakerChangedSubscription = graphql(`
  subscription CircuitBreakerChanged($agent: String) {
    circuitBreakerChanged(agent: $agent) { agent from to failureCount reason }
  }
`);

export const DomainEventsSubscription = graphql(`
  subscription DomainEvents($name: String) {
    domainEvents(name: $name) { name payload runId }
  }
`);
