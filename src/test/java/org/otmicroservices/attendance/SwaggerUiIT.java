package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.otmicroservices.attendance.http.HealthController;

/**
 * /apidocs in a real browser: Debian's chromium, headless, driven through Debian's chromium-driver. A person
 * opens the page, sees every route, and uses "Try it out" on health and on create. On failure a screenshot
 * is saved under target/swagger-ui-it/.
 */
class SwaggerUiIT {
    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    private static final Path ARTIFACTS = Path.of("target", "swagger-ui-it");
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** The routes of README's tables that are API operations (/metrics and /apidocs themselves are not). */
    private static final List<String> API_MD_ROUTES = List.of(
            "GET /api/v1/attendance/health",
            "GET /api/v1/attendance/health/detail",
            "POST /api/v1/attendance/create",
            "GET /api/v1/attendance/search",
            "GET /api/v1/attendance/search/all");

    @RegisterExtension
    static final TestApp app = new TestApp();

    @RegisterExtension
    final TestWatcher screenshotOnFailure = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            if (driver == null) {
                return;
            }
            try {
                Path shot = ARTIFACTS.resolve(context.getRequiredTestMethod().getName() + ".png");
                Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), shot, StandardCopyOption.REPLACE_EXISTING);
                System.err.println("SwaggerUiIT: screenshot of the failure in " + shot.toAbsolutePath());
            } catch (IOException | RuntimeException e) {
                System.err.println("SwaggerUiIT: no screenshot: " + e);
            }
        }
    };

    private static ChromeDriver driver;
    private static Path profile;

    @BeforeAll
    static void startChromium() throws IOException {
        for (String binary : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(Path.of(binary))) {
                throw new IllegalStateException(binary + " is missing: `./run.sh test` installs chromium and chromium-driver");
            }
        }
        Files.createDirectories(ARTIFACTS);
        profile = Files.createTempDirectory("swagger-ui-it-profile");
        ChromeOptions options = new ChromeOptions();
        // The binary and the driver are given explicitly, so Selenium Manager never looks for (or downloads) either.
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--window-size=1280,2400", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .withLogFile(ARTIFACTS.resolve("chromedriver.log").toFile())
                .build();
        driver = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stopChromium() throws IOException {
        if (driver != null) {
            driver.quit();
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @BeforeEach
    void openApiDocs() {
        driver.get(app.url("/apidocs/"));
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".opblock")));
    }

    @Test
    void apiDocsListsEveryRouteOfApiMd() {
        Set<String> listed = new TreeSet<>();
        for (WebElement block : driver.findElements(By.cssSelector(".opblock"))) {
            String method = block.findElement(By.cssSelector(".opblock-summary-method")).getText().strip();
            String path = block.findElement(By.cssSelector(".opblock-summary-path")).getAttribute("data-path");
            listed.add(method + " " + path);
        }
        assertTrue(listed.containsAll(API_MD_ROUTES), "listed: " + listed);
        String title = driver.findElement(By.cssSelector(".info .title")).getText();
        assertTrue(title.startsWith("Attendance API"), title);
    }

    @Test
    void tryItOutOnHealthShows200AndTheHealthMessage() {
        WebElement operation = expand("operations-healthcheck-health");
        execute(operation);
        assertResponse(operation, "200", HealthController.HEALTHY);
    }

    @Test
    void tryItOutOnCreateStoresTheRecord() {
        String id = "swagger-" + System.nanoTime();
        WebElement operation = expand("operations-attendance-createRecord");
        operation.findElement(By.cssSelector(".try-out__btn")).click();
        WebElement body = new WebDriverWait(driver, WAIT).until(ExpectedConditions.elementToBeClickable(
                operation.findElement(By.cssSelector("textarea.body-param__text"))));
        // Select-all and type: the editor is a React-controlled textarea, which clear() would not update.
        body.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
        body.sendKeys("{\"id\":\"" + id + "\",\"name\":\"Grace Hopper\",\"status\":\"Present\",\"date\":\"2023-03-01\"}");
        operation.findElement(By.cssSelector(".execute")).click();
        assertResponse(operation, "200", "Successfully created the record for the employee id: $" + id);
        assertTrue(app.rows().contains(List.of(id, "Grace Hopper", "Present", "2023-03-01")), "rows: " + app.rows());
    }

    /** Clicks the operation's summary to open it, and returns the operation's block. */
    private static WebElement expand(String operationDomId) {
        WebElement operation = driver.findElement(By.id(operationDomId));
        operation.findElement(By.cssSelector(".opblock-summary")).click();
        new WebDriverWait(driver, WAIT).until(d -> !operation.findElements(By.cssSelector(".opblock-body")).isEmpty());
        return operation;
    }

    private static void execute(WebElement operation) {
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.elementToBeClickable(
                operation.findElement(By.cssSelector(".try-out__btn")))).click();
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.elementToBeClickable(
                operation.findElement(By.cssSelector(".execute")))).click();
    }

    /** The live response panel ("Server response"): its status cell and its body. */
    private static void assertResponse(WebElement operation, String status, String bodyText) {
        WebElement live = new WebDriverWait(driver, WAIT).until(d -> operation.findElements(
                By.cssSelector(".live-responses-table .response")).stream().findFirst().orElse(null));
        assertEquals(status, live.findElement(By.cssSelector(".response-col_status")).getText().strip());
        String shown = live.findElement(By.cssSelector(".response-col_description")).getText();
        assertTrue(shown.contains(bodyText), "response panel shows:\n" + shown);
    }
}
