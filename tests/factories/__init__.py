"""Test factories (factory_boy), one module per app, in the pipeline's order: accounts,
referential, programmes, admissions, enrolment, assessment, finance, jury.

How to use them::

    from tests.factories.accounts import UserFactory
    from tests.factories.enrolment import EnrolmentFactory

    director = UserFactory(roles=[(Role.PROGRAMME_DIRECTOR, ScopeKind.GLOBAL, None)])
    enrolment = EnrolmentFactory()  # its learner, edition, year and campus made on the way
    other = EnrolmentFactory(edition=enrolment.edition, year=enrolment.year)

Each factory fills the required fields only, with invented values (sequences for the unique
ones, never a real person's name), and builds what it points to with the factories of the apps
before it; optional fields keep the model's defaults (an English title is empty: the French one
shows). Pass any field to choose it. ``Factory.build()`` makes an unsaved object.

Where the project creates a row through a service (a user, a learner, a candidate, an invoice,
a jury session), the factory calls that service in ``_create``, so the role grants and audit
records the service writes are there too; the factory's docstring says which service. The
others write the row with the ORM, as a fact at the state asked for (an application at the
``admitted`` status, an enrolment, a result): the steps that lead there are the services'
own tests. The larger test worlds (tests/<app>/builders.py) are built from these factories.
"""
