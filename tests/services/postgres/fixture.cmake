# The ctest fixture `postgres`: a throwaway cluster in <build>/services/postgres, started before
# the first test that has FIXTURES_REQUIRED postgres and stopped (directory removed) after the
# last one, also when tests fail. Tests read <build>/services/postgres/env (see pg.sh).
#
# Included from tests/services/postgres/CMakeLists.txt and from tests/unit/store/CMakeLists.txt
# (whichever comes first defines the tests; fixtures are global in ctest), so the store's
# PostgreSQL tests have their fixture whether or not tests/CMakeLists.txt adds this directory.
get_property(pm_pg_fixture_defined GLOBAL PROPERTY PM_SERVICES_POSTGRES_FIXTURE)
if(NOT pm_pg_fixture_defined)
  set_property(GLOBAL PROPERTY PM_SERVICES_POSTGRES_FIXTURE ON)
  set(pm_pg_sh ${CMAKE_CURRENT_LIST_DIR}/pg.sh)
  add_test(NAME services_postgres_start
           COMMAND ${pm_pg_sh} start ${CMAKE_BINARY_DIR}/services/postgres)
  set_tests_properties(services_postgres_start PROPERTIES FIXTURES_SETUP postgres
                       LABELS services TIMEOUT 120)
  add_test(NAME services_postgres_stop
           COMMAND ${pm_pg_sh} stop ${CMAKE_BINARY_DIR}/services/postgres)
  set_tests_properties(services_postgres_stop PROPERTIES FIXTURES_CLEANUP postgres
                       LABELS services TIMEOUT 60)
endif()
