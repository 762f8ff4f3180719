"""Sign-on campaigns: signatories from form exports into the letter, and laid out for any size."""
