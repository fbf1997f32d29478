using System.Runtime.CompilerServices;

// The PC/SC tests check the per-platform native layouts and the recovery logic with a fake binding.
[assembly: InternalsVisibleTo("Middleware.Cards.Tests")]
