package hedge

import "errors"

// ErrLost is the cause (context.Cause) with which the contexts of a call's
// remaining attempts are cancelled once the call has its answer, usually
// because another attempt won. Attempts need not check for it: it only
// tells a losing attempt why it was cancelled.
var ErrLost = errors.New("hedge: another attempt won")
