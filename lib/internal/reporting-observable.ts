/**
 * The Observables grove hands out (`hub.events$`, `toObservable(queue)`):
 * rxjs Observables whose subscribers' errors go to the hub's error handler.
 *
 * rxjs catches an error thrown by a subscriber's `next` (or `error`,
 * `complete`) and rethrows it later from a timer, which kills a Node
 * process. Items and events are emitted from inside the hub, which must
 * never be taken down by the code it calls: so a subscriber is wrapped when
 * it subscribes, and what it throws is reported (`where: 'subscriber'`)
 * instead, the stream and the hub going on. Operators applied with `pipe()`
 * keep the wrapping (`lift` returns this class), so a subscriber at the end
 * of a pipe is covered too; one subscribed through a combination made
 * elsewhere (`merge(events$, other)`) is rxjs's.
 */
import { Observable, Subscriber, type Observer, type Operator, type Subscription, type TeardownLogic } from 'rxjs';

/** Where a subscriber's error goes. */
export type ReportError = (error: unknown) => void;

export class ReportingObservable<T> extends Observable<T> {
  constructor(
    private readonly reportError: ReportError,
    subscribe?: (this: Observable<T>, subscriber: Subscriber<T>) => TeardownLogic,
  ) {
    super(subscribe);
  }

  override lift<R>(operator?: Operator<T, R>): Observable<R> {
    const observable = new ReportingObservable<R>(this.reportError);
    observable.source = this;
    observable.operator = operator;
    return observable;
  }

  override subscribe(observerOrNext?: Partial<Observer<T>> | ((value: T) => void) | null): Subscription;
  /** @deprecated rxjs's own signature, kept for compatibility. */
  override subscribe(next?: ((value: T) => void) | null, error?: ((error: unknown) => void) | null, complete?: (() => void) | null): Subscription;
  override subscribe(
    observerOrNext?: Partial<Observer<T>> | ((value: T) => void) | null,
    error?: ((error: unknown) => void) | null,
    complete?: (() => void) | null,
  ): Subscription {
    // Operators subscribe with their own Subscriber, which sends errors downstream itself: only the consumer is wrapped.
    if (observerOrNext instanceof Subscriber) return super.subscribe(observerOrNext);
    return super.subscribe(this.guard(observerOrNext, error, complete));
  }

  private guard(
    observerOrNext: Partial<Observer<T>> | ((value: T) => void) | null | undefined,
    error: ((error: unknown) => void) | null | undefined,
    complete: (() => void) | null | undefined,
  ): Partial<Observer<T>> {
    const report = this.reportError;
    const observer: Partial<Observer<T>> =
      typeof observerOrNext === 'function'
        ? { next: observerOrNext, error: error ?? undefined, complete: complete ?? undefined }
        : (observerOrNext ?? {});
    const guarded: Partial<Observer<T>> = {
      next: (value) => {
        try {
          observer.next?.(value);
        } catch (thrown) {
          report(thrown);
        }
      },
      complete: () => {
        try {
          observer.complete?.();
        } catch (thrown) {
          report(thrown);
        }
      },
    };
    // Without an error callback rxjs reports the stream's error as unhandled: keep that, it is not a subscriber's fault.
    if (observer.error !== undefined) {
      guarded.error = (failure) => {
        try {
          observer.error!(failure);
        } catch (thrown) {
          report(thrown);
        }
      };
    }
    return guarded;
  }
}
