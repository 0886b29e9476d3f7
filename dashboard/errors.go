package dashboard

import "errors"

// ErrUnknownTarget is returned by Controls for a name they do not control;
// the control endpoints answer it with 404.
var ErrUnknownTarget = errors.New("dashboard: unknown control target")

// ErrDuplicateName is returned by Registry.AddBreaker and AddInjector for a
// name already taken; register each policy instance once, under a unique
// name.
var ErrDuplicateName = errors.New("dashboard: name already registered")

// ErrNoName is returned by Registry.AddBreaker and AddInjector for a nil
// policy or one without a name: the page addresses controls by name.
var ErrNoName = errors.New("dashboard: policy is nil or has no name")
