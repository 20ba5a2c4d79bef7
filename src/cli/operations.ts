/**
 * The operations `orquestra investigate` sends, typed by GraphQL Code Generator.
 */

import { graphql } from '../client/generated/index.ts';

export const StartInvestigation = graphql(`
  mutation StartInvestigation($workflowId: String!, $input: JSON!) {
    executeWorkflow(input: { workflowId: $workflowId, input: $input }) {
      __typename
      ... on ExecuteWorkflowSuccess {
        run { runId status workflowId workflowVersion pattern }
      }
      ... on ValidationError {
        message
        issues { path message }
      }
      ... on Error {
        message
      }
    }
  }
`);

export const FollowRun = graphql(`
  subscription FollowRun($runId: ID!, $afterSeq: Int) {
    runEvents(runId: $runId, afterSeq: $afterSeq) {
      seq
      type
      stepId
      agent
      attempt
      at
      message
      data
    }
  }
`);

export const InvestigationResult = graphql(`
  query InvestigationResult($id: ID!) {
    run(id: $id) {
      runId
      status
      durationMs
      output
      error { kind message }
      workflow { workflowId version name pattern steps { id } }
      steps { execution stepId itemIndex agentName status attempts durationMs }
    }
  }
`);
