/**
 * What recent requests met, for telling overload from chance: how many others were in flight when each was sent and
 * whether it was refused, and when each came back and how long it took.
 */
export interface AnswerHistory {
  /** Records an answer (any outcome): when it came back, its latency, whether it was refused; kept for 2 × `span`. */
  noteAnswer(at: number, ms: number, refused: boolean, span: number): void;
  /** Records a load signal's outcome (success or refusal): the others in flight when it was sent. */
  noteOutcome(others: number, refused: boolean): void;
  /**
   * True when the recent requests sent with at least `others` others in flight mostly went through: a refusal at that
   * concurrency is chance, not overload (an overloaded server refuses most of what it gets above its capacity; random
   * refusals come at every level).
   */
  isSporadic(others: number): boolean;
  /**
   * How many requests were being answered at once over the last `span` ms, by Little's law: the time the answers (not
   * refusals) spent in flight, over the span. Unlike the requests in flight it leaves out the refused ones, which a
   * proxy's 429 sends back at once to be sent again. Null when too few came back.
   */
  servedAtOnce(at: number, span: number): number | null;
}

/** Outcomes remembered to tell overload from sporadic refusals. */
const OUTCOME_WINDOW = 200;
/**
 * A refusal is sporadic when fewer than this share of the recent requests sent at its concurrency or above were
 * refused.
 */
const SPORADIC_SHARE = 0.2;
/** servedAtOnce is not read from fewer answers. */
const SERVED_MIN_ANSWERS = 8;

export function createAnswerHistory(): AnswerHistory {
  const outcomes: Array<{ others: number; refused: boolean }> = [];
  const answers: Array<{ at: number; ms: number; refused: boolean }> = [];
  return {
    noteAnswer(at, ms, refused, span) {
      answers.push({ at, ms, refused });
      while (answers.length > 0 && at - answers[0]!.at > span * 2) answers.shift();
    },
    noteOutcome(others, refused) {
      outcomes.push({ others, refused });
      if (outcomes.length > OUTCOME_WINDOW) outcomes.shift();
    },
    isSporadic(others) {
      let refused = 0;
      let total = 0;
      for (const outcome of outcomes) {
        if (outcome.others < others) continue;
        total += 1;
        if (outcome.refused) refused += 1;
      }
      return total >= 10 && refused / total < SPORADIC_SHARE;
    },
    servedAtOnce(at, span) {
      let sum = 0;
      let count = 0;
      for (let index = answers.length - 1; index >= 0 && at - answers[index]!.at <= span; index -= 1) {
        const answer = answers[index]!;
        if (!answer.refused) ((sum += answer.ms), (count += 1));
      }
      return count >= SERVED_MIN_ANSWERS ? sum / span : null;
    },
  };
}
