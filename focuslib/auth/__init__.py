"""Tokens and sign-in: the token store and redactor, the identity check, the refresh keeper, the code and
device flows and their pages."""
