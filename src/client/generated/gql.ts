/* eslint-disable */
import * as types from './graphql.ts';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation StartInvestigation($workflowId: String!, $input: JSON!) {\n    executeWorkflow(input: { workflowId: $workflowId, input: $input }) {\n      __typename\n      ... on ExecuteWorkflowSuccess {\n        run { runId status workflowId workflowVersion pattern }\n      }\n      ... on ValidationError {\n        message\n        issues { path message }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.StartInvestigationDocument,
    "\n  subscription FollowRun($runId: ID!, $afterSeq: Int) {\n    runEvents(runId: $runId, afterSeq: $afterSeq) {\n      seq\n      type\n      stepId\n      agent\n      attempt\n      at\n      message\n      data\n    }\n  }\n": typeof types.FollowRunDocument,
    "\n  query InvestigationResult($id: ID!) {\n    run(id: $id) {\n      runId\n      status\n      durationMs\n      output\n      error { kind message }\n      workflow { workflowId version name pattern steps { id } }\n      steps { execution stepId itemIndex agentName status attempts durationMs }\n    }\n  }\n": typeof types.InvestigationResultDocument,
    "\n  query Workflows {\n    workflows { workflowId version name pattern }\n  }\n": typeof types.WorkflowsDocument,
    "\n  query Workflow($id: String!) {\n    workflow(id: $id) { id workflowId version latestVersion pattern name versions { version } }\n  }\n": typeof types.WorkflowDocument,
    "\n  query Run($id: ID!) {\n    run(id: $id) {\n      id\n      runId\n      status\n      workflowId\n      workflowVersion\n      pattern\n      input\n      output\n      error { kind message }\n      steps { execution stepId itemIndex status agentName attempts }\n    }\n  }\n": typeof types.RunDocument,
    "\n  query RunWithEvents($id: ID!, $afterSeq: Int, $first: Int) {\n    run(id: $id) { runId status events(afterSeq: $afterSeq, first: $first) { seq type stepId } }\n  }\n": typeof types.RunWithEventsDocument,
    "\n  query Runs(\n    $first: Int\n    $after: String\n    $last: Int\n    $before: String\n    $filter: RunFilter\n    $orderBy: RunOrder\n  ) {\n    runs(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      edges { cursor node { runId status workflowId pattern startedAt } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": typeof types.RunsDocument,
    "\n  query RunsOverview($first: Int) {\n    runs(first: $first) {\n      totalCount\n      edges {\n        node {\n          workflow { workflowId latestVersion versions { version } }\n          steps {\n            agent {\n              circuitBreaker { state settings { failureThreshold } }\n              performance { latency { p95Ms } }\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.RunsOverviewDocument,
    "\n  query Node($id: ID!) {\n    node(id: $id) {\n      __typename\n      id\n      ... on Run { runId status }\n      ... on Workflow { workflowId version }\n      ... on Agent { name }\n    }\n  }\n": typeof types.NodeDocument,
    "\n  query Agent($name: String!) {\n    agent(name: $name) {\n      name\n      circuitBreaker { state failureCount settings { failureThreshold halfOpenAfterMs successThreshold } }\n    }\n  }\n": typeof types.AgentDocument,
    "\n  query Stats {\n    stats { runs { total succeeded failed running } }\n  }\n": typeof types.StatsDocument,
    "\n  query Statistics {\n    stats {\n      runs { total succeeded failed cancelled byStatus }\n      patterns { pattern runs succeeded failed }\n      agents { agent calls succeeded failed }\n    }\n  }\n": typeof types.StatisticsDocument,
    "\n  mutation ExecuteWorkflow($input: ExecuteWorkflowInput!) {\n    executeWorkflow(input: $input) {\n      __typename\n      ... on ExecuteWorkflowSuccess { run { id runId status workflowId workflowVersion } }\n      ... on Error { message }\n      ... on ValidationError { issues { path message } }\n      ... on NotAuthorizedError { role field }\n      ... on WorkflowNotFoundError { workflowId }\n      ... on InvalidStateError { status }\n    }\n  }\n": typeof types.ExecuteWorkflowDocument,
    "\n  mutation CancelRun($id: ID!, $reason: String) {\n    cancelRun(id: $id, reason: $reason) {\n      __typename\n      ... on CancelRunSuccess { run { runId status error { kind message } } }\n      ... on Error { message }\n      ... on NotAuthorizedError { role field }\n      ... on RunNotFoundError { runId }\n      ... on InvalidStateError { status }\n    }\n  }\n": typeof types.CancelRunDocument,
    "\n  mutation PublishEvent($input: PublishEventInput!) {\n    publishEvent(input: $input) {\n      __typename\n      ... on PublishEventSuccess { event { name payload } runs { runId status } }\n      ... on Error { message }\n      ... on NotAuthorizedError { role field }\n      ... on ValidationError { issues { path message } }\n    }\n  }\n": typeof types.PublishEventDocument,
    "\n  mutation ExecuteAgent($input: ExecuteAgentInput!) {\n    executeAgent(input: $input) {\n      __typename\n      ... on ExecuteAgentSuccess { agent { name } output attempts { attempt agentName fallback } }\n      ... on Error { message }\n      ... on NotAuthorizedError { role field }\n      ... on ValidationError { issues { path message } }\n      ... on AgentCallError { kind failedAgent: agent }\n      ... on CircuitOpenError { openAgent: agent }\n      ... on AgentNotFoundError { unknownAgent: agent }\n    }\n  }\n": typeof types.ExecuteAgentDocument,
    "\n  mutation RegisterWorkflow($definition: JSON!) {\n    registerWorkflow(input: { definition: $definition }) {\n      __typename\n      ... on RegisterWorkflowSuccess { created workflow { id workflowId version } }\n      ... on Error { message }\n      ... on NotAuthorizedError { role field }\n      ... on ValidationError { issues { path message } }\n    }\n  }\n": typeof types.RegisterWorkflowDocument,
    "\n  mutation ResetCircuitBreaker($agent: String!) {\n    resetCircuitBreaker(agent: $agent) {\n      __typename\n      ... on CircuitBreakerSuccess { circuitBreaker { agent state failureCount } }\n      ... on Error { message }\n      ... on NotAuthorizedError { role field }\n      ... on AgentNotFoundError { unknownAgent: agent }\n    }\n  }\n": typeof types.ResetCircuitBreakerDocument,
    "\n  mutation IsolateCircuitBreaker($agent: String!) {\n    isolateCircuitBreaker(agent: $agent) {\n      __typename\n      ... on CircuitBreakerSuccess { circuitBreaker { agent state failureCount } }\n      ... on Error { message }\n      ... on NotAuthorizedError { role field }\n      ... on AgentNotFoundError { unknownAgent: agent }\n    }\n  }\n": typeof types.IsolateCircuitBreakerDocument,
    "\n  mutation ConfigureCircuitBreaker($input: ConfigureCircuitBreakerInput!) {\n    configureCircuitBreaker(input: $input) {\n      __typename\n      ... on ConfigureCircuitBreakerSuccess {\n        settings { failureThreshold halfOpenAfterMs successThreshold }\n        circuitBreaker { agent state }\n      }\n      ... on Error { message }\n      ... on NotAuthorizedError { role field }\n      ... on ValidationError { issues { path message } }\n    }\n  }\n": typeof types.ConfigureCircuitBreakerDocument,
    "\n  mutation ConfigureRetryPolicy($input: RetryPolicyInput!) {\n    configureRetryPolicy(input: $input) {\n      __typename\n      ... on ConfigureRetryPolicySuccess { retryPolicy { maxAttempts initialDelayMs } }\n      ... on Error { message }\n      ... on NotAuthorizedError { role field }\n      ... on ValidationError { issues { path message } }\n    }\n  }\n": typeof types.ConfigureRetryPolicyDocument,
    "\n  subscription RunEvents($runId: ID!, $afterSeq: Int) {\n    runEvents(runId: $runId, afterSeq: $afterSeq) { seq type runId stepId agent message data }\n  }\n": typeof types.RunEventsDocument,
    "\n  subscription RunUpdates($filter: RunUpdateFilter) {\n    runUpdates(filter: $filter) {\n      runId\n      workflowId\n      pattern\n      status\n      previousStatus\n      run { runId status }\n    }\n  }\n": typeof types.RunUpdatesDocument,
    "\n  subscription StatsStream($intervalMs: Int) {\n    stats(intervalMs: $intervalMs) { runs { total succeeded running } }\n  }\n": typeof types.StatsStreamDocument,
    "\n  subscription CircuitBreakerChanged($agent: String) {\n    circuitBreakerChanged(agent: $agent) { agent from to failureCount reason }\n  }\n": typeof types.CircuitBreakerChangedDocument,
    "\n  subscription DomainEvents($name: String) {\n    domainEvents(name: $name) { name payload runId }\n  }\n": typeof types.DomainEventsDocument,
};
const documents: Documents = {
    "\n  mutation StartInvestigation($workflowId: String!, $input: JSON!) {\n    executeWorkflow(input: { workflowId: $workflowId, input: $input }) {\n      __typename\n      ... on ExecuteWorkflowSuccess {\n        run { runId status workflowId workflowVersion pattern }\n      }\n      ... on ValidationError {\n        message\n        issues { path message }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.StartInvestigationDocument,
    "\n  subscription FollowRun($runId: ID!, $afterSeq: Int) {\n    runEvents(runId: $runId, afterSeq: $afterSeq) {\n      seq\n      type\n      stepId\n      agent\n      attempt\n      at\n      message\n      data\n    }\n  }\n": types.FollowRunDocument,
    "\n  query InvestigationResult($id: ID!) {\n    run(id: $id) {\n      runId\n      status\n      durationMs\n      output\n      error { kind message }\n      workflow { workflowId version name pattern steps { id } }\n      steps { execution stepId itemIndex agentName status attempts durationMs }\n    }\n  }\n": types.InvestigationResultDocument,
    "\n  query Workflows {\n    workflows { workflowId version name pattern }\n  }\n": types.WorkflowsDocument,
    "\n  query Workflow($id: String!) {\n    workflow(id: $id) { id workflowId version latestVersion pattern name versions { version } }\n  }\n": types.WorkflowDocument,
    "\n  query Run($id: ID!) {\n    run(id: $id) {\n      id\n      runId\n      status\n      workflowId\n      workflowVersion\n      pattern\n      input\n      output\n      error { kind message }\n      steps { execution stepId itemIndex status agentName attempts }\n    }\n  }\n": types.RunDocument,
    "\n  query RunWithEvents($id: ID!, $afterSeq: Int, $first: Int) {\n    run(id: $id) { runId status events(afterSeq: $afterSeq, first: $first) { seq type stepId } }\n  }\n": types.RunWithEventsDocument,
    "\n  query Runs(\n    $first: Int\n    $after: String\n    $last: Int\n    $before: String\n    $filter: RunFilter\n    $orderBy: RunOrder\n  ) {\n    runs(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      edges { cursor node { runId status workflowId pattern startedAt } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": types.RunsDocument,
    "\n  query RunsOverview($first: Int) {\n    runs(first: $first) {\n      totalCount\n      edges {\n        node {\n          workflow { workflowId latestVersion versions { version } }\n          steps {\n            agent {\n              circuitBreaker { state settings { failureThreshold } }\n              performance { latency { p95Ms } }\n            }\n          }\n        }\n      }\n    }\n  }\n": types.RunsOverviewDocument,
    "\n  query Node($id: ID!) {\n    node(id: $id) {\n      __typename\n      id\n      ... on Run { runId status }\n      ... on Workflow { workflowId version }\n      ... on Agent { name }\n    }\n  }\n": types.NodeDocument,
    "\n  query Agent($name: String!) {\n    agent(name: $name) {\n      name\n      circuitBreaker { state failureCount settings { failureThreshold halfOpenAfterMs successThreshold } }\n    }\n  }\n": types.AgentDocument,
    "\n  query Stats {\n    stats { runs { total succeeded failed running } }\n  }\n": types.StatsDocument,
    "\n  query Statistics {\n    stats {\n      runs { total succeeded failed cancelled byStatus }\n      patterns { pattern runs succeeded failed }\n      agents { agent calls succeeded failed }\n    }\n  }\n": types.StatisticsDocument,
    "\n  mutation ExecuteWorkflow($input: ExecuteWorkflowInput!) {\n    executeWorkflow(input: $input) {\n      __typename\n      ... on ExecuteWorkflowSuccess { run { id runId status workflowId workflowVersion } }\n      ... on Error { message }\n      ... on ValidationError { issues { path message } }\n      ... on NotAuthorizedError { role field }\n      ... on WorkflowNotFoundError { workflowId }\n      ... on InvalidStateError { status }\n    }\n  }\n": types.ExecuteWorkflowDocument,
    "\n  mutation CancelRun($id: ID!, $reason: String) {\n    cancelRun(id: $id, reason: $reason) {\n      __typename\n      ... on CancelRunSuccess { run { runId status error { kind message } } }\n      ... on Error { message }\n      ... on NotAuthorizedError { role field }\n      ... on RunNotFoundError { runId }\n      ... on InvalidStateError { status }\n    }\n  }\n": types.CancelRunDocument,
    "\n  mutation PublishEvent($input: PublishEventInput!) {\n    publishEvent(input: $input) {\n      __typename\n      ... on PublishEventSuccess { event { name payload } runs { runId status } }\n      ... on Error { message }\n      ... on NotAuthorizedError { role field }\n      ... on ValidationError { issues { path message } }\n    }\n  }\n": types.PublishEventDocument,
    "\n  mutation ExecuteAgent($input: ExecuteAgentInput!) {\n    executeAgent(input: $input) {\n      __typename\n      ... on ExecuteAgentSuccess { agent { name } output attempts { attempt agentName fallback } }\n      ... on Error { message }\n      ... on NotAuthorizedError { role field }\n      ... on ValidationError { issues { path message } }\n      ... on AgentCallError { kind failedAgent: agent }\n      ... on CircuitOpenError { openAgent: agent }\n      ... on AgentNotFoundError { unknownAgent: agent }\n    }\n  }\n": types.ExecuteAgentDocument,
    "\n  mutation RegisterWorkflow($definition: JSON!) {\n    registerWorkflow(input: { definition: $definition }) {\n      __typename\n      ... on RegisterWorkflowSuccess { created workflow { id workflowId version } }\n      ... on Error { message }\n      ... on NotAuthorizedError { role field }\n      ... on ValidationError { issues { path message } }\n    }\n  }\n": types.RegisterWorkflowDocument,
    "\n  mutation ResetCircuitBreaker($agent: String!) {\n    resetCircuitBreaker(agent: $agent) {\n      __typename\n      ... on CircuitBreakerSuccess { circuitBreaker { agent state failureCount } }\n      ... on Error { message }\n      ... on NotAuthorizedError { role field }\n      ... on AgentNotFoundError { unknownAgent: agent }\n    }\n  }\n": types.ResetCircuitBreakerDocument,
    "\n  mutation IsolateCircuitBreaker($agent: String!) {\n    isolateCircuitBreaker(agent: $agent) {\n      __typename\n      ... on CircuitBreakerSuccess { circuitBreaker { agent state failureCount } }\n      ... on Error { message }\n      ... on NotAuthorizedError { role field }\n      ... on AgentNotFoundError { unknownAgent: agent }\n    }\n  }\n": types.IsolateCircuitBreakerDocument,
    "\n  mutation ConfigureCircuitBreaker($input: ConfigureCircuitBreakerInput!) {\n    configureCircuitBreaker(input: $input) {\n      __typename\n      ... on ConfigureCircuitBreakerSuccess {\n        settings { failureThreshold halfOpenAfterMs successThreshold }\n        circuitBreaker { agent state }\n      }\n      ... on Error { message }\n      ... on NotAuthorizedError { role field }\n      ... on ValidationError { issues { path message } }\n    }\n  }\n": types.ConfigureCircuitBreakerDocument,
    "\n  mutation ConfigureRetryPolicy($input: RetryPolicyInput!) {\n    configureRetryPolicy(input: $input) {\n      __typename\n      ... on ConfigureRetryPolicySuccess { retryPolicy { maxAttempts initialDelayMs } }\n      ... on Error { message }\n      ... on NotAuthorizedError { role field }\n      ... on ValidationError { issues { path message } }\n    }\n  }\n": types.ConfigureRetryPolicyDocument,
    "\n  subscription RunEvents($runId: ID!, $afterSeq: Int) {\n    runEvents(runId: $runId, afterSeq: $afterSeq) { seq type runId stepId agent message data }\n  }\n": types.RunEventsDocument,
    "\n  subscription RunUpdates($filter: RunUpdateFilter) {\n    runUpdates(filter: $filter) {\n      runId\n      workflowId\n      pattern\n      status\n      previousStatus\n      run { runId status }\n    }\n  }\n": types.RunUpdatesDocument,
    "\n  subscription StatsStream($intervalMs: Int) {\n    stats(intervalMs: $intervalMs) { runs { total succeeded running } }\n  }\n": types.StatsStreamDocument,
    "\n  subscription CircuitBreakerChanged($agent: String) {\n    circuitBreakerChanged(agent: $agent) { agent from to failureCount reason }\n  }\n": types.CircuitBreakerChangedDocument,
    "\n  subscription DomainEvents($name: String) {\n    domainEvents(name: $name) { name payload runId }\n  }\n": types.DomainEventsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StartInvestigation($workflowId: String!, $input: JSON!) {\n    executeWorkflow(input: { workflowId: $workflowId, input: $input }) {\n      __typename\n      ... on ExecuteWorkflowSuccess {\n        run { runId status workflowId workflowVersion pattern }\n      }\n      ... on ValidationError {\n        message\n        issues { path message }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation StartInvestigation($workflowId: String!, $input: JSON!) {\n    executeWorkflow(input: { workflowId: $workflowId, input: $input }) {\n      __typename\n      ... on ExecuteWorkflowSuccess {\n        run { runId status workflowId workflowVersion pattern }\n      }\n      ... on ValidationError {\n        message\n        issues { path message }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription FollowRun($runId: ID!, $afterSeq: Int) {\n    runEvents(runId: $runId, afterSeq: $afterSeq) {\n      seq\n      type\n      stepId\n      agent\n      attempt\n      at\n      message\n      data\n    }\n  }\n"): (typeof documents)["\n  subscription FollowRun($runId: ID!, $afterSeq: Int) {\n    runEvents(runId: $runId, afterSeq: $afterSeq) {\n      seq\n      type\n      stepId\n      agent\n      attempt\n      at\n      message\n      data\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query InvestigationResult($id: ID!) {\n    run(id: $id) {\n      runId\n      status\n      durationMs\n      output\n      error { kind message }\n      workflow { workflowId version name pattern steps { id } }\n      steps { execution stepId itemIndex agentName status attempts durationMs }\n    }\n  }\n"): (typeof documents)["\n  query InvestigationResult($id: ID!) {\n    run(id: $id) {\n      runId\n      status\n      durationMs\n      output\n      error { kind message }\n      workflow { workflowId version name pattern steps { id } }\n      steps { execution stepId itemIndex agentName status attempts durationMs }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Workflows {\n    workflows { workflowId version name pattern }\n  }\n"): (typeof documents)["\n  query Workflows {\n    workflows { workflowId version name pattern }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Workflow($id: String!) {\n    workflow(id: $id) { id workflowId version latestVersion pattern name versions { version } }\n  }\n"): (typeof documents)["\n  query Workflow($id: String!) {\n    workflow(id: $id) { id workflowId version latestVersion pattern name versions { version } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Run($id: ID!) {\n    run(id: $id) {\n      id\n      runId\n      status\n      workflowId\n      workflowVersion\n      pattern\n      input\n      output\n      error { kind message }\n      steps { execution stepId itemIndex status agentName attempts }\n    }\n  }\n"): (typeof documents)["\n  query Run($id: ID!) {\n    run(id: $id) {\n      id\n      runId\n      status\n      workflowId\n      workflowVersion\n      pattern\n      input\n      output\n      error { kind message }\n      steps { execution stepId itemIndex status agentName attempts }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RunWithEvents($id: ID!, $afterSeq: Int, $first: Int) {\n    run(id: $id) { runId status events(afterSeq: $afterSeq, first: $first) { seq type stepId } }\n  }\n"): (typeof documents)["\n  query RunWithEvents($id: ID!, $afterSeq: Int, $first: Int) {\n    run(id: $id) { runId status events(afterSeq: $afterSeq, first: $first) { seq type stepId } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Runs(\n    $first: Int\n    $after: String\n    $last: Int\n    $before: String\n    $filter: RunFilter\n    $orderBy: RunOrder\n  ) {\n    runs(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      edges { cursor node { runId status workflowId pattern startedAt } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"): (typeof documents)["\n  query Runs(\n    $first: Int\n    $after: String\n    $last: Int\n    $before: String\n    $filter: RunFilter\n    $orderBy: RunOrder\n  ) {\n    runs(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      edges { cursor node { runId status workflowId pattern startedAt } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RunsOverview($first: Int) {\n    runs(first: $first) {\n      totalCount\n      edges {\n        node {\n          workflow { workflowId latestVersion versions { version } }\n          steps {\n            agent {\n              circuitBreaker { state settings { failureThreshold } }\n              performance { latency { p95Ms } }\n            }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query RunsOverview($first: Int) {\n    runs(first: $first) {\n      totalCount\n      edges {\n        node {\n          workflow { workflowId latestVersion versions { version } }\n          steps {\n            agent {\n              circuitBreaker { state settings { failureThreshold } }\n              performance { latency { p95Ms } }\n            }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Node($id: ID!) {\n    node(id: $id) {\n      __typename\n      id\n      ... on Run { runId status }\n      ... on Workflow { workflowId version }\n      ... on Agent { name }\n    }\n  }\n"): (typeof documents)["\n  query Node($id: ID!) {\n    node(id: $id) {\n      __typename\n      id\n      ... on Run { runId status }\n      ... on Workflow { workflowId version }\n      ... on Agent { name }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Agent($name: String!) {\n    agent(name: $name) {\n      name\n      circuitBreaker { state failureCount settings { failureThreshold halfOpenAfterMs successThreshold } }\n    }\n  }\n"): (typeof documents)["\n  query Agent($name: String!) {\n    agent(name: $name) {\n      name\n      circuitBreaker { state failureCount settings { failureThreshold halfOpenAfterMs successThreshold } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Stats {\n    stats { runs { total succeeded failed running } }\n  }\n"): (typeof documents)["\n  query Stats {\n    stats { runs { total succeeded failed running } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Statistics {\n    stats {\n      runs { total succeeded failed cancelled byStatus }\n      patterns { pattern runs succeeded failed }\n      agents { agent calls succeeded failed }\n    }\n  }\n"): (typeof documents)["\n  query Statistics {\n    stats {\n      runs { total succeeded failed cancelled byStatus }\n      patterns { pattern runs succeeded failed }\n      agents { agent calls succeeded failed }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ExecuteWorkflow($input: ExecuteWorkflowInput!) {\n    executeWorkflow(input: $input) {\n      __typename\n      ... on ExecuteWorkflowSuccess { run { id runId status workflowId workflowVersion } }\n      ... on Error { message }\n      ... on ValidationError { issues { path message } }\n      ... on NotAuthorizedError { role field }\n      ... on WorkflowNotFoundError { workflowId }\n      ... on InvalidStateError { status }\n    }\n  }\n"): (typeof documents)["\n  mutation ExecuteWorkflow($input: ExecuteWorkflowInput!) {\n    executeWorkflow(input: $input) {\n      __typename\n      ... on ExecuteWorkflowSuccess { run { id runId status workflowId workflowVersion } }\n      ... on Error { message }\n      ... on ValidationError { issues { path message } }\n      ... on NotAuthorizedError { role field }\n      ... on WorkflowNotFoundError { workflowId }\n      ... on InvalidStateError { status }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelRun($id: ID!, $reason: String) {\n    cancelRun(id: $id, reason: $reason) {\n      __typename\n      ... on CancelRunSuccess { run { runId status error { kind message } } }\n      ... on Error { message }\n      ... on NotAuthorizedError { role field }\n      ... on RunNotFoundError { runId }\n      ... on InvalidStateError { status }\n    }\n  }\n"): (typeof documents)["\n  mutation CancelRun($id: ID!, $reason: String) {\n    cancelRun(id: $id, reason: $reason) {\n      __typename\n      ... on CancelRunSuccess { run { runId status error { kind message } } }\n      ... on Error { message }\n      ... on NotAuthorizedError { role field }\n      ... on RunNotFoundError { runId }\n      ... on InvalidStateError { status }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PublishEvent($input: PublishEventInput!) {\n    publishEvent(input: $input) {\n      __typename\n      ... on PublishEventSuccess { event { name payload } runs { runId status } }\n      ... on Error { message }\n      ... on NotAuthorizedError { role field }\n      ... on ValidationError { issues { path message } }\n    }\n  }\n"): (typeof documents)["\n  mutation PublishEvent($input: PublishEventInput!) {\n    publishEvent(input: $input) {\n      __typename\n      ... on PublishEventSuccess { event { name payload } runs { runId status } }\n      ... on Error { message }\n      ... on NotAuthorizedError { role field }\n      ... on ValidationError { issues { path message } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ExecuteAgent($input: ExecuteAgentInput!) {\n    executeAgent(input: $input) {\n      __typename\n      ... on ExecuteAgentSuccess { agent { name } output attempts { attempt agentName fallback } }\n      ... on Error { message }\n      ... on NotAuthorizedError { role field }\n      ... on ValidationError { issues { path message } }\n      ... on AgentCallError { kind failedAgent: agent }\n      ... on CircuitOpenError { openAgent: agent }\n      ... on AgentNotFoundError { unknownAgent: agent }\n    }\n  }\n"): (typeof documents)["\n  mutation ExecuteAgent($input: ExecuteAgentInput!) {\n    executeAgent(input: $input) {\n      __typename\n      ... on ExecuteAgentSuccess { agent { name } output attempts { attempt agentName fallback } }\n      ... on Error { message }\n      ... on NotAuthorizedError { role field }\n      ... on ValidationError { issues { path message } }\n      ... on AgentCallError { kind failedAgent: agent }\n      ... on CircuitOpenError { openAgent: agent }\n      ... on AgentNotFoundError { unknownAgent: agent }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegisterWorkflow($definition: JSON!) {\n    registerWorkflow(input: { definition: $definition }) {\n      __typename\n      ... on RegisterWorkflowSuccess { created workflow { id workflowId version } }\n      ... on Error { message }\n      ... on NotAuthorizedError { role field }\n      ... on ValidationError { issues { path message } }\n    }\n  }\n"): (typeof documents)["\n  mutation RegisterWorkflow($definition: JSON!) {\n    registerWorkflow(input: { definition: $definition }) {\n      __typename\n      ... on RegisterWorkflowSuccess { created workflow { id workflowId version } }\n      ... on Error { message }\n      ... on NotAuthorizedError { role field }\n      ... on ValidationError { issues { path message } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResetCircuitBreaker($agent: String!) {\n    resetCircuitBreaker(agent: $agent) {\n      __typename\n      ... on CircuitBreakerSuccess { circuitBreaker { agent state failureCount } }\n      ... on Error { message }\n      ... on NotAuthorizedError { role field }\n      ... on AgentNotFoundError { unknownAgent: agent }\n    }\n  }\n"): (typeof documents)["\n  mutation ResetCircuitBreaker($agent: String!) {\n    resetCircuitBreaker(agent: $agent) {\n      __typename\n      ... on CircuitBreakerSuccess { circuitBreaker { agent state failureCount } }\n      ... on Error { message }\n      ... on NotAuthorizedError { role field }\n      ... on AgentNotFoundError { unknownAgent: agent }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation IsolateCircuitBreaker($agent: String!) {\n    isolateCircuitBreaker(agent: $agent) {\n      __typename\n      ... on CircuitBreakerSuccess { circuitBreaker { agent state failureCount } }\n      ... on Error { message }\n      ... on NotAuthorizedError { role field }\n      ... on AgentNotFoundError { unknownAgent: agent }\n    }\n  }\n"): (typeof documents)["\n  mutation IsolateCircuitBreaker($agent: String!) {\n    isolateCircuitBreaker(agent: $agent) {\n      __typename\n      ... on CircuitBreakerSuccess { circuitBreaker { agent state failureCount } }\n      ... on Error { message }\n      ... on NotAuthorizedError { role field }\n      ... on AgentNotFoundError { unknownAgent: agent }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConfigureCircuitBreaker($input: ConfigureCircuitBreakerInput!) {\n    configureCircuitBreaker(input: $input) {\n      __typename\n      ... on ConfigureCircuitBreakerSuccess {\n        settings { failureThreshold halfOpenAfterMs successThreshold }\n        circuitBreaker { agent state }\n      }\n      ... on Error { message }\n      ... on NotAuthorizedError { role field }\n      ... on ValidationError { issues { path message } }\n    }\n  }\n"): (typeof documents)["\n  mutation ConfigureCircuitBreaker($input: ConfigureCircuitBreakerInput!) {\n    configureCircuitBreaker(input: $input) {\n      __typename\n      ... on ConfigureCircuitBreakerSuccess {\n        settings { failureThreshold halfOpenAfterMs successThreshold }\n        circuitBreaker { agent state }\n      }\n      ... on Error { message }\n      ... on NotAuthorizedError { role field }\n      ... on ValidationError { issues { path message } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConfigureRetryPolicy($input: RetryPolicyInput!) {\n    configureRetryPolicy(input: $input) {\n      __typename\n      ... on ConfigureRetryPolicySuccess { retryPolicy { maxAttempts initialDelayMs } }\n      ... on Error { message }\n      ... on NotAuthorizedError { role field }\n      ... on ValidationError { issues { path message } }\n    }\n  }\n"): (typeof documents)["\n  mutation ConfigureRetryPolicy($input: RetryPolicyInput!) {\n    configureRetryPolicy(input: $input) {\n      __typename\n      ... on ConfigureRetryPolicySuccess { retryPolicy { maxAttempts initialDelayMs } }\n      ... on Error { message }\n      ... on NotAuthorizedError { role field }\n      ... on ValidationError { issues { path message } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription RunEvents($runId: ID!, $afterSeq: Int) {\n    runEvents(runId: $runId, afterSeq: $afterSeq) { seq type runId stepId agent message data }\n  }\n"): (typeof documents)["\n  subscription RunEvents($runId: ID!, $afterSeq: Int) {\n    runEvents(runId: $runId, afterSeq: $afterSeq) { seq type runId stepId agent message data }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription RunUpdates($filter: RunUpdateFilter) {\n    runUpdates(filter: $filter) {\n      runId\n      workflowId\n      pattern\n      status\n      previousStatus\n      run { runId status }\n    }\n  }\n"): (typeof documents)["\n  subscription RunUpdates($filter: RunUpdateFilter) {\n    runUpdates(filter: $filter) {\n      runId\n      workflowId\n      pattern\n      status\n      previousStatus\n      run { runId status }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription StatsStream($intervalMs: Int) {\n    stats(intervalMs: $intervalMs) { runs { total succeeded running } }\n  }\n"): (typeof documents)["\n  subscription StatsStream($intervalMs: Int) {\n    stats(intervalMs: $intervalMs) { runs { total succeeded running } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription CircuitBreakerChanged($agent: String) {\n    circuitBreakerChanged(agent: $agent) { agent from to failureCount reason }\n  }\n"): (typeof documents)["\n  subscription CircuitBreakerChanged($agent: String) {\n    circuitBreakerChanged(agent: $agent) { agent from to failureCount reason }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription DomainEvents($name: String) {\n    domainEvents(name: $name) { name payload runId }\n  }\n"): (typeof documents)["\n  subscription DomainEvents($name: String) {\n    domainEvents(name: $name) { name payload runId }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;