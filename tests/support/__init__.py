"""What the tests share: app builders, live servers, real services, factories, browser and auth helpers.

Fixtures live in the conftest.py files; they build on these modules, which hold no fixture.
"""
